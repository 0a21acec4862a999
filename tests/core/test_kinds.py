"""The registry of layer kinds: every kind has one home, and that home says every rule the kind needs."""

from __future__ import annotations

import sys
from collections import Counter

import pytest

from convcalc.core.kinds import (
    FAMILIES,
    REGISTRY,
    OtherRules,
    WindowRules,
    file_types,
    other_rules,
    rules_of,
    window_rules,
)
from convcalc.core.kinds.base import Rules
from convcalc.core.kinds.file_types import FileTypes
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


def _file_types_of(rules: Rules) -> FileTypes:
    """Return the names declared beside a family's rules, in its own module."""
    declare = getattr(sys.modules[type(rules).__module__], "file_types", None)
    assert declare is not None, f"{type(rules).__module__} declares no file_types()"
    types = declare()
    assert isinstance(types, FileTypes)
    return types


def _kinds_named(types: FileTypes) -> set[LayerKind]:
    tables = (types.torch, types.keras, types.onnx, types.jax)
    return {info.kind for table in tables for info in table.values()} | {kind for kind, _ in types.windows.values()}


@pytest.mark.parametrize("kind", list(LayerKind))
def test_every_kind_is_named_in_files_by_its_own_module(kind: LayerKind) -> None:
    types = _file_types_of(rules_of(kind))
    assert kind in _kinds_named(types), f"{kind} has no type name a file can write"


@pytest.mark.parametrize("rules", FAMILIES, ids=lambda rules: type(rules).__name__)
def test_a_module_names_only_its_own_kinds(rules: Rules) -> None:
    module = type(rules).__module__
    own = {kind for family in FAMILIES if type(family).__module__ == module for kind in family.kinds}
    assert _kinds_named(_file_types_of(rules)) <= own


def test_every_module_s_names_are_merged_once() -> None:
    declared = {id(_file_types_of(rules)) for rules in FAMILIES}
    assert sorted(map(id, file_types())) == sorted(declared)


@pytest.mark.parametrize("table", ["torch", "keras", "onnx", "jax", "windows"])
def test_no_name_has_two_homes(table: str) -> None:
    counts = Counter(name for types in file_types() for name in getattr(types, table))
    assert [name for name, count in counts.items() if count > 1] == []
