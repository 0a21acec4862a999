#!/usr/bin/env bash
# Mutation testing of the arithmetic core: the size rules (convcalc/core/formulas.py), torch.nn's
# refusals (convcalc/core/windows.py), the receptive field (convcalc/core/receptive.py) and the
# framework rules (convcalc/core/frameworks.py), the modules that
# [tool.mutmut] in pyproject.toml names. Prints, per module, the share of mutants the tests kill.
#
#   pip install -e '.[test]' mutmut && tools/mutation.sh     (30 to 60 minutes on 2 cores)
#
# It works on a copy of the tracked files in a temporary folder and says where, so that
# `mutmut show NAME` can be run there on each survivor. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/convcalc-mutation.XXXXXX")
git ls-files -z | xargs -0 tar cf - | tar xf - -C "$work"
cd "$work"
mutmut run --max-children "${JOBS:-2}" > mutmut.log 2>&1 || true
mutmut results --all true > results.txt 2>/dev/null
python3 tools/mutation_score.py results.txt
echo "mutants and survivors in $work (mutmut show NAME)"
