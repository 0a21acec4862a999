"""The registry of layer kinds: every kind has one home, and that home says every rule the kind needs."""

from __future__ import annotations

import pytest

from convcalc.core.kinds import FAMILIES, REGISTRY, OtherRules, WindowRules, other_rules, rules_of, window_rules
from convcalc.core.kinds.base import Rules
from convcalc.core.spec import LayerKind

OTHER_RULES = ("shape", "fields", "cell")
"""What every kind without a sliding window must say for itself (the rest have defaults most kinds share)."""


@pytest.mark.parametrize("kind", list(LayerKind))
def test_every_kind_has_one_home(kind: LayerKind) -> None:
    homes = [rules for rules in FAMILIES if kind in rules.kinds]
    assert len(homes) == 1, f"{kind} has {len(homes)} homes"
    assert REGISTRY[kind] is homes[0]


@pytest.mark.parametrize("kind", list(LayerKind))
def test_every_kind_says_every_rule(kind: LayerKind) -> None:
    rules = rules_of(kind)
    if kind.is_window:
        assert isinstance(rules, WindowRules)
        assert rules.short, f"{kind} has no word for the table"
        assert rules.torch_class, f"{kind} has no torch.nn class"
        assert rules.onnx_op, f"{kind} has no ONNX operator"
        assert type(rules).json is not WindowRules.json, f"{kind} says no JSON keys"
    else:
        assert isinstance(rules, OtherRules)
        missing = [name for name in OTHER_RULES if getattr(type(rules), name) is getattr(OtherRules, name)]
        assert not missing, f"{kind} lacks {missing}"


def test_the_families_are_listed_in_the_order_of_the_kinds() -> None:
    order = [rules.kinds[0] for rules in FAMILIES]
    assert order == sorted(order, key=list(LayerKind).index)


def test_asking_a_family_for_the_wrong_side_is_a_bug() -> None:
    with pytest.raises(TypeError, match="is not a sliding-window kind"):
        window_rules(LayerKind.ADD)
    with pytest.raises(TypeError, match="is a sliding-window kind"):
        other_rules(LayerKind.CONV)


def test_a_kind_without_its_rules_is_caught() -> None:
    """The check above would catch a family that forgot a rule: one that says nothing fails it."""

    class Forgetful(OtherRules):
        kinds = (LayerKind.ADD,)

    missing = [name for name in OTHER_RULES if getattr(Forgetful, name) is getattr(OtherRules, name)]
    assert missing == list(OTHER_RULES)
    assert issubclass(Forgetful, Rules)
