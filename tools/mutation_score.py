"""Print the share of killed mutants per module from `mutmut results --all true`.

A mutant that makes the tests time out counts as killed: the suite noticed it.

Usage: python tools/mutation_score.py results.txt   (tools/mutation.sh runs it)
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path


def main() -> None:
    """Count each module's mutants by outcome and print the killed share."""
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for line in Path(sys.argv[1]).read_text().splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name.startswith("convcalc."):
            counts[name.split(".")[1]][status] += 1
    total = Counter[str]()
    for module, outcome in sorted(counts.items()):
        total.update(outcome)
        checked = sum(outcome.values()) - outcome["not checked"]
        killed = outcome["killed"] + outcome["timeout"]
        share = killed / checked if checked else 0.0
        print(f"{module:<10} {killed:>5} killed of {checked:>5} ({share:.1%}); {dict(outcome)}")
    checked = sum(total.values()) - total["not checked"]
    killed = total["killed"] + total["timeout"]
    print(f"{'all':<10} {killed:>5} killed of {checked:>5} ({killed / max(checked, 1):.1%})")


if __name__ == "__main__":
    main()
