"""One record per framework: the layer checks and the network files' JSON Schema are both made from it."""

from __future__ import annotations

import json
from dataclasses import replace
from types import MappingProxyType

import pytest

from convcalc.core import framework_rules
from convcalc.core.errors import InputError
from convcalc.core.framework_rules import TAKES
from convcalc.core.spec import Framework, LayerKind, LayerSpec
from convcalc.netfile.schema import network_schema


def _schema_text() -> str:
    return json.dumps(network_schema(), sort_keys=True)


def test_one_record_changes_the_check_and_the_schema_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give Keras' pools a ceil_mode in its record: the layer is taken, and the schema stops pinning it to false."""
    with pytest.raises(InputError, match="keras pooling has no ceil_mode"):
        LayerSpec.create(LayerKind.MAXPOOL, kernel_size=2, ceil_mode=True, framework=Framework.KERAS)
    before = _schema_text()
    changed = {**TAKES, Framework.KERAS: replace(TAKES[Framework.KERAS], ceil_mode=True)}
    monkeypatch.setattr(framework_rules, "TAKES", MappingProxyType(changed))
    monkeypatch.setattr("convcalc.netfile.schema.TAKES", MappingProxyType(changed))
    layer = LayerSpec.create(LayerKind.MAXPOOL, kernel_size=2, ceil_mode=True, framework=Framework.KERAS)
    assert layer.ceil_mode
    assert _schema_text() != before


def test_every_framework_has_its_record() -> None:
    assert set(TAKES) == set(Framework)
    assert all(takes.words for takes in TAKES.values())


def test_the_keys_only_some_window_kinds_take_are_said_once() -> None:
    """The files' vocabulary reads the table the layer checks read; a kind outside a key's set is refused it."""
    from convcalc.core.terms import WINDOW_KEYS
    from convcalc.netfile.vocabulary import LAYER_KEYS

    assert all(LAYER_KEYS[key].kinds is kinds for key, kinds in WINDOW_KEYS.items())
    given = {"ceil_mode": True, "output_padding": 1, "output_size": 9, "in_channels": 3, "count_include_pad": True}
    for key, value in given.items():
        for kind in (LayerKind.CONV, LayerKind.CONVTRANSPOSE, LayerKind.MAXPOOL, LayerKind.AVGPOOL):
            if kind in WINDOW_KEYS[key]:
                continue
            with pytest.raises(InputError) as refused:
                LayerSpec.create(kind, kernel_size=2, stride=2, **{key: value})  # type: ignore[arg-type]  # each key as given
            assert refused.value.where == key, (key, kind)
