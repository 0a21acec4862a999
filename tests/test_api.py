"""The documented Python API: what a model repository's own tests would write."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import pytest

import convcalc
from tests.conftest import EXAMPLES


def test_read_analyse_and_assert() -> None:
    """Read a file, analyse it, read the per-layer results."""
    result = convcalc.analyze(convcalc.read_network(str(EXAMPLES / "dcgan_generator.yaml")))
    assert result.ok
    assert result.output == (1, 3, 64, 64)
    assert [layer.name for layer in result.layers][:2] == ["project", "up1"]
    assert result.layers[1].jump == (Fraction(1, 2), Fraction(1, 2))
    assert result.layers[1].equivalent_conv is not None
    assert result.layers[1].equivalent_conv.padding == ((2, 2), (2, 2))


def test_build_layers_in_code() -> None:
    """Layers built in Python, with torch.nn's argument names."""
    layer = convcalc.LayerSpec.create("convtranspose", 4, stride=2, padding=1, out_channels=64)
    net = convcalc.NetworkSpec(input=(1, 128, 16, 16), layers=(layer,))
    (result,) = convcalc.analyze(net).layers
    assert result.output == (1, 64, 32, 32)
    assert result.weight_shape == (128, 64, 4, 4)


def test_load_network_from_text_reports_every_problem() -> None:
    """load_network raises one InputErrorGroup with every located problem."""
    with pytest.raises(convcalc.InputErrorGroup) as caught:
        convcalc.load_network("input: [1, 3, 8]\nlayers: [{type: conv}]\n", "inline.yaml")
    assert [str(e) for e in caught.value.errors] == ["inline.yaml:2:10: layers[0]: missing `kernel_size`"]


def test_impossible_layer_is_a_result_not_an_exception() -> None:
    """An impossible layer becomes an invalid result with a message."""
    net = convcalc.NetworkSpec(input=(1, 1, 2, 2), layers=(convcalc.LayerSpec.create("conv", 3),))
    result = convcalc.analyze(net)
    assert not result.ok
    assert result.failures[0].status is convcalc.Status.INVALID
    assert result.failures[0].message.startswith("layer 1, axes H, W: output size 0 < 1")


def test_bad_values_raise_input_error() -> None:
    """Malformed values raise InputError naming the argument."""
    with pytest.raises(convcalc.InputError, match="stride: expected a positive integer, got 0"):
        convcalc.LayerSpec.create("conv", 3, stride=0)


def test_importing_convcalc_does_not_import_yaml_or_rich() -> None:
    """The layer commands start fast: yaml and rich load only when needed."""
    code = "import sys, convcalc.cli.app; print('yaml' in sys.modules, 'rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


# ---------------------------------------------------------------- report(): one call, four sources

RESNET = EXAMPLES / "resnet_stem.yaml"


def _cli(*argv: str) -> str:
    from typer.testing import CliRunner

    from convcalc.cli.app import app

    return CliRunner().invoke(app, list(argv), env={"COLUMNS": "100"}).stdout


def test_report_from_a_path_prints_what_stack_prints() -> None:
    report = convcalc.report(RESNET)
    assert report.ok
    assert report.output is not None
    assert report.output == convcalc.read_network(RESNET).input[:1] + report.output[1:]  # same batch
    assert str(report) == _cli("stack", str(RESNET))
    assert report.to_json() == _cli("stack", str(RESNET), "--format", "json")
    assert report.to_markdown() == _cli("stack", str(RESNET), "--format", "markdown")
    assert report.to_csv() == _cli("stack", str(RESNET), "--format", "csv")


def test_to_dict_is_the_json_document() -> None:
    import json

    report = convcalc.report(str(EXAMPLES / "unet_decoder.yaml"))
    assert report.to_dict() == json.loads(report.to_json())
    assert report.to_dict()["ok"] is True


def test_report_from_text_mapping_and_spec_agree() -> None:
    text = RESNET.read_text()
    from_text = convcalc.report(text)
    from_data = convcalc.report(__import__("yaml").safe_load(text))
    from_spec = convcalc.report(convcalc.load_network(text))
    assert from_text.layers == from_data.layers == from_spec.layers
    assert from_text.output == convcalc.report(RESNET).output


def test_report_input_shape_overrides_the_file() -> None:
    report = convcalc.report(RESNET, input_shape=[2, 3, 64, 64])
    assert report.layers[-1].output == (2, 64, 16, 16)
    assert not report.ok  # the file's expect lines are for its own input


def test_failing_layers_are_in_the_report_not_raised() -> None:
    report = convcalc.report(EXAMPLES / "failing" / "failing_expect.yaml")
    assert not report.ok
    assert report.messages
    assert all(line.startswith(str(EXAMPLES / "failing" / "failing_expect.yaml") + ":") for line in report.messages)


def test_malformed_input_raises_every_problem() -> None:
    with pytest.raises(convcalc.InputErrorGroup) as caught:
        convcalc.report({"input": [1, 3, 8, 8], "layers": [{"type": "Conv2d", "kernel_size": 0, "strid": 2}]})
    assert [str(e) for e in caught.value.errors] == [
        "<python>: layers[0].kernel_size: expected a positive integer, got 0",
        "<python>: layers[0].strid: unknown key `strid` (did you mean `stride`?)",
    ]
    with pytest.raises(convcalc.InputError, match="expected a path, a YAML text"):
        convcalc.report(42)  # type: ignore[arg-type]


def test_report_layer_by_name_or_index() -> None:
    report = convcalc.report(RESNET)
    assert report.layer(1) is report.layers[0]
    assert report.layer(report.layers[1].name) is report.layers[1]
    with pytest.raises(KeyError, match="no layer 'nope'"):
        report.layer("nope")


# ---------------------------------------------------------------- builders: graphs without YAML


def test_builders_make_a_graph_with_skip_connections() -> None:
    net = convcalc.network(
        [1, 3, 32, 32],
        [
            convcalc.layer("Conv2d", name="stem", out_channels=16, kernel_size=3, stride=2, padding=1),
            convcalc.layer("BatchNorm2d", num_features=16),
            convcalc.layer("ReLU"),
            convcalc.layer("Conv2d", out_channels=16, kernel_size=3, padding=1, expect=[1, 16, 16, 16]),
            convcalc.layer("add", name="skip", inputs=["stem", 4]),
            convcalc.layer("concat", inputs=["skip", "stem"], dim=1),
        ],
    )
    report = convcalc.report(net)
    assert report.ok, report.messages
    assert report.output == (1, 32, 16, 16)
    assert report.layer("skip").sources == ("stem", "4")
    assert report.layers[1].params == 32  # BatchNorm2d: weight and bias per channel


def test_builders_are_checked_like_a_file() -> None:
    with pytest.raises(convcalc.InputErrorGroup, match=r"layers\[1\].from"):
        convcalc.network([1, 3, 8, 8], [convcalc.layer("ReLU"), convcalc.layer("add", inputs=["nope", 1])])


# ---------------------------------------------------------------- design helpers


def test_solve_sizes_mirror_port_and_explain() -> None:
    best = convcalc.solve("conv", 224, 112)[0]
    assert (best.axes[0].kernel, best.axes[0].stride, best.axes[0].before) == (3, 2, 1)
    with pytest.raises(convcalc.InputError, match="limits span"):
        convcalc.solve("conv", 224, 112, kernel=(1, 1000), stride=(1, 1000))
    (axis,) = convcalc.sizes(EXAMPLES / "conv1d_autoencoder.yaml", 1, 64)
    assert axis.same
    assert all(size % 8 == 0 for size in axis.same)
    decoder = convcalc.mirror(EXAMPLES / "vgg16_features.yaml")
    assert convcalc.report(decoder).ok
    layer = convcalc.LayerSpec.create("conv", 4, stride=2, padding="same", framework="keras")
    ported = convcalc.port(layer, (1, 1, 7, 7), "torch")
    assert ported.layer.framework is convcalc.Framework.TORCH
    keras = convcalc.port_network(EXAMPLES / "dcgan_generator.yaml", "keras").network
    assert convcalc.report(keras).output == convcalc.report(EXAMPLES / "dcgan_generator.yaml").output
    sections = convcalc.explain(convcalc.LayerSpec.create("conv", 2, stride=2), (1, 1, 5, 5))
    assert any(section.heading == "output 2×2" for section in sections)
    assert any(section.heading.startswith("axes H, W: 5 cells") for section in sections)


# ---------------------------------------------------------------- the names themselves


def test_every_public_name_is_real_and_listed() -> None:
    assert not hasattr(convcalc, "__getattr__")  # a module __getattr__ would let a type checker accept any name
    assert sorted(dir(convcalc)) == sorted(convcalc.__all__)
    assert len(set(convcalc.__all__)) == len(convcalc.__all__)
    undocumented = [
        name
        for name in convcalc.__all__
        if callable(getattr(convcalc, name)) and not (getattr(convcalc, name).__doc__ or "").strip()
    ]
    assert undocumented == []
    with pytest.raises(AttributeError):
        convcalc.read_netwrok  # type: ignore[attr-defined]  # noqa: B018


@pytest.mark.slow  # runs mypy: about 3 s
def test_mypy_rejects_a_misspelt_name(tmp_path: pytest.TempPathFactory) -> None:
    from mypy import api

    good = tmp_path / "good.py"  # type: ignore[operator]
    good.write_text("import convcalc\n\nreport: convcalc.Report = convcalc.report('net.yaml')\n")
    bad = tmp_path / "bad.py"  # type: ignore[operator]
    bad.write_text("import convcalc\n\nconvcalc.read_netwrok('net.yaml')\n")
    assert api.run(["--strict", "--no-incremental", str(good)])[2] == 0
    out, _, status = api.run(["--strict", "--no-incremental", str(bad)])
    assert status == 1
    assert 'Module has no attribute "read_netwrok"' in out


def test_importing_convcalc_loads_neither_yaml_rich_nor_typer() -> None:
    code = "import sys, convcalc; print(*(name in sys.modules for name in ('yaml', 'rich', 'typer')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]


def test_the_api_module_lists_its_public_names() -> None:
    """`convcalc.api.__all__` is every public function and class it defines, and what it re-exports for front ends."""
    defined = {
        name
        for name, value in vars(convcalc.api).items()
        if not name.startswith("_") and callable(value) and getattr(value, "__module__", "") == "convcalc.api"
    }
    assert defined <= set(convcalc.api.__all__)
    assert all(hasattr(convcalc.api, name) for name in convcalc.api.__all__)
