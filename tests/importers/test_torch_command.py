"""`convcalc import torch` run as a user runs it, on small models of tests/importers/torch_factories.py.

These tests need torch (CI installs torch 2.13.0 for them); without it they are skipped.
"""

from __future__ import annotations

import builtins
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

torch = pytest.importorskip("torch", reason="the command's tests need torch")

FACTORIES = "tests.importers.torch_factories"


def test_import_torch_writes_a_file_that_checks(run: Any, tmp_path: Path) -> None:
    """The file has every layer with torch's shape as its expect; check passes on it without torch."""
    out = tmp_path / "unet.yaml"
    result = run("import", "torch", f"{FACTORIES}:TinyUNet", "--args", '{"width": 4}', "-i", "1,1,16,16",
                 "--expect", "-o", str(out))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = out.read_text()
    assert text.startswith(f"# {FACTORIES}:TinyUNet imported by convcalc import torch\n")
    assert '{name: "up", type: "ConvTranspose2d", out_channels: 4, kernel_size: [2, 2], stride: [2, 2]' in text
    assert '{name: "interpolate", type: "interpolate", to: "stem.2"' in text
    assert '{name: "mul", type: "scale", shape: [4, 1, 1]' in text
    assert '{name: "view", type: "view", shape: [1, -1], expect: [1, 4]}' in text
    assert (
        result.stderr
        == f"{FACTORIES}:TinyUNet: layer 'view': sizes read off a tensor are written as they are at the input [1, 1, 16, 16]\n"
    )
    assert run("check", str(out)).exit_code == 0
    model = __import__(FACTORIES, fromlist=["TinyUNet"]).TinyUNet(width=4)
    total = sum(p.numel() for p in model.parameters())
    data = json.loads(run("stack", str(out), "-f", "json").stdout)
    assert data["total_params"] == total
    assert data["output"] == [1, 3]


def test_a_forward_branching_on_sizes_is_traced_at_the_input(run: Any, tmp_path: Path) -> None:
    """fx's symbolic trace stops at `if` on a size: the import traces at the input's sizes, and says so."""
    out = tmp_path / "branching.yaml"
    result = run("import", "torch", f"{FACTORIES}:SizeBranching", "-i", "1,2,10,10", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"{FACTORIES}:SizeBranching: traced at the input [1, 2, 10, 10], its sizes as numbers: the symbolic trace "
        "stopped (the model (SizeBranching): TraceError: symbolically traced variables cannot be used as inputs to "
        "control flow)\n"
    )
    data = json.loads(run("stack", str(out), "-f", "json").stdout)
    assert [layer["output"] for layer in data["layers"]] == [
        [1, 2, 12, 12],
        [1, 2, 12, 12],
        [1, 2, 12, 12],
        [1, 32, 3, 3],
    ]
    assert data["total_params"] == 6  # the conv's, once: called twice (steps=2, its default)


def test_a_flow_model_reads_with_torch_counts(run: Any, tmp_path: Path) -> None:
    """RAFT in small: traced at the input's sizes, a constant flow, grid_sample at fixed and computed grids, unfold."""
    from torch.utils.flop_counter import FlopCounterMode

    out = tmp_path / "flow.yaml"
    result = run("import", "torch", f"{FACTORIES}:TinyFlow", "-i", "1,3,16,16", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text()
    assert '{name: "flow_conv", type: "constant", shape: [1, 4, 8, 8], from: "input", flops: 9216}' in text
    assert '{name: "grid_sample", type: "grid_sample", size: [8, 8]}' in text  # the first look-up: fixed coordinates
    assert '{name: "grid_sample_1", type: "grid_sample", from: ["mul", "sub_1"]}' in text  # then computed ones
    assert '{name: "unfold", type: "unfold", kernel_size: 3, padding: 1}' in text
    data = json.loads(run("stack", str(out), "-f", "json").stdout)
    model = __import__(FACTORIES, fromlist=["TinyFlow"]).TinyFlow().eval()
    with FlopCounterMode(display=False) as counter:
        flows = model(torch.zeros(1, 3, 16, 16), torch.zeros(1, 3, 16, 16))
    assert data["total_params"] == sum(p.numel() for p in model.parameters())
    assert data["total_flops"] == counter.get_total_flops()
    assert [layer["output"] for layer in data["layers"] if layer["name"] in ("mean", "mean_1")] == [
        list(flow.shape) for flow in flows
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["torch", f"{FACTORIES}:branching", "-i", "1,1,8,8"],
            (
                "import torch: torch.fx cannot trace module '1' (DataDependent): TraceError: symbolically traced variables "
                "cannot be used as inputs to control flow"
            ),
        ),
        (
            ["torch", f"{FACTORIES}:unknown_module", "-i", "1,4,2,2"],
            "import torch: node 'Sequential.2' (call_module 2): a network file has no layer type for Fold",
        ),
        (
            ["torch", f"{FACTORIES}:not_a_model", "-i", "1,1,2,2"],
            f"import torch: {FACTORIES}:not_a_model gave a int, not a torch.nn.Module",
        ),
        (
            ["torch", f"{FACTORIES}:missing", "-i", "1,1,2,2"],
            (
                f"import torch: cannot import {FACTORIES}:missing: AttributeError: module '{FACTORIES}' has no attribute "
                "'missing'"
            ),
        ),
        (
            ["torch", "torchvision.models.resnet18", "-i", "1,3,8,8"],
            (
                "import torch: expected PACKAGE.MODULE:FACTORY or FILE.py:FACTORY, such as torchvision.models:resnet18, got "
                "'torchvision.models.resnet18'"
            ),
        ),
        (["torch", f"{FACTORIES}:TinyUNet"], "import torch: give the input shape, e.g. --input 1,3,224,224"),
        (
            ["torch", f"{FACTORIES}:TinyUNet", "-i", "1,1,8,8", "--args", "{width: 4}"],
            "--args: not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        (
            ["torch", f"{FACTORIES}:TinyUNet", "-i", "1,1,8,8", "--args", '{"depth": 4}'],
            (
                f"import torch: {FACTORIES}:TinyUNet(...) raised TypeError: TinyUNet.__init__() got an unexpected keyword "
                "argument 'depth'"
            ),
        ),
        (
            ["torch", f"{FACTORIES}:TinyUNet", "-i", "1,2,8,8"],
            "--input: the model does not run on an input of [1, 2, 8, 8] (at call_module stem.0): RuntimeError: ",
        ),
        (["torch"], "SOURCE: expected one factory: convcalc import torch PACKAGE.MODULE:FACTORY"),
    ],
    ids=[
        "untraceable",
        "no layer type",
        "not a module",
        "missing factory",
        "no colon",
        "no input",
        "bad json",
        "factory raises",
        "wrong input",
        "no factory",
    ],
)
def test_import_torch_refusals_are_one_line(run: Any, args: list[str], message: str) -> None:
    """Each problem is one line on stderr, exit 2, nothing on stdout."""
    result = run("import", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("convcalc: error: " + message), result.stderr
    assert result.stderr.count("\n") == 1


def test_a_factory_that_prints_keeps_stdout_the_network_file(run: Any) -> None:
    """The module runs as `python -c` would; its prints go to stderr, the YAML on stdout stays YAML."""
    result = run("import", "torch", f"{FACTORIES}:chatty", "-i", "1,1,8,8")
    assert result.exit_code == 0, result.stderr
    assert "building the model" not in result.stdout
    assert "building the model" in result.stderr
    assert yaml.safe_load(result.stdout)["layers"][0]["type"] == "Conv2d"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (f"{FACTORIES}:exits", f"import torch: {FACTORIES}:exits(...) raised SystemExit: it called sys.exit(0)"),
        (
            "tests.importers.raising_module:model",
            "import torch: importing tests.importers.raising_module raised RuntimeError: this module fails at import",
        ),
    ],
    ids=["sys.exit", "raises at import"],
)
def test_the_modules_own_failures_are_the_models(run: Any, target: str, message: str) -> None:
    """sys.exit() in a factory and an exception at import: exit 2 and one line, not exit 0 or a convcalc bug."""
    result = run("import", "torch", target, "-i", "1,1,8,8")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"convcalc: error: {message}\n"


def test_import_torch_without_torch(run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without torch, one line says what to install."""
    real = builtins.__import__

    def no_torch(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "torch" or name.startswith("torch."):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    monkeypatch.setattr("importlib.import_module", no_torch)
    result = run("import", "torch", f"{FACTORIES}:TinyUNet", "-i", "1,1,8,8")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "convcalc: error: import torch: needs PyTorch: pip install 'convcalc[torch]' (or torch itself)\n"
    )


def test_a_sequential_and_its_frozen_layers(run: Any) -> None:
    """Module paths that are numbers are named after the model's class; frozen modules are `trainable: false`."""
    result = run("import", "torch", f"{FACTORIES}:frozen_sequential", "-i", "1,3,16,16")
    assert result.exit_code == 0, result.stderr
    assert '{name: "Sequential.0", type: "Conv2d", out_channels: 8, kernel_size: [3, 3], trainable: false}' in (
        result.stdout
    )
    assert '{name: "Sequential.1", type: "BatchNorm2d", num_features: 8}' in result.stdout
    data = json.loads(run("stack", "-", "-f", "json", stdin=result.stdout).stdout)
    model = __import__(FACTORIES, fromlist=["frozen_sequential"]).frozen_sequential()
    assert data["non_trainable_params"] == sum(p.numel() for p in model.parameters() if not p.requires_grad)
    assert data["trainable_params"] == sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert data["buffers"] == sum(b.numel() for b in model.buffers())


def test_a_fault_in_the_reader_is_not_called_bad_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reader catches only its own not-followed error: an IndexError of its own code is a bug (exit 70)."""
    from convcalc.cli.entry import main
    from convcalc.importers import torch_fx

    def broken(*_: object) -> None:
        raise IndexError("a bug")

    monkeypatch.setattr(torch_fx, "_rearranging", broken)  # TinyUNet's head reads view(x.size(0), -1)
    code = main(["import", "torch", f"{FACTORIES}:TinyUNet", "--args", '{"width": 4}', "-i", "1,1,16,16"])
    assert code == 70
    assert "internal error in `convcalc import` (IndexError)" in capsys.readouterr().err


def test_an_argument_computed_from_tensors_is_said() -> None:
    """A size that only the running model knows is not followed, in one line naming it."""
    from convcalc.importers.torch_fx import _NotFollowedError, _whole

    class Node:
        op = "call_function"

    with pytest.raises(_NotFollowedError, match="its dim is computed from tensors"):
        _whole(Node(), "dim")
    with pytest.raises(_NotFollowedError, match=r"its dim is 1\.5, not a whole number"):
        _whole(1.5, "dim")


USER_MODEL = '''
import torch
import torch.nn.functional as F
from torch import nn


class Up(nn.Module):
    """The milesial U-Net's Up: up by a transposed conv, pad by the size difference, join the skip."""

    def __init__(self, width):
        super().__init__()
        self.up = nn.ConvTranspose2d(2 * width, width, 2, stride=2)
        self.conv = nn.Conv2d(2 * width, width, 3, padding=1)

    def forward(self, x1, x2):
        x1 = self.up(x1)
        diff_y = x2.size()[2] - x1.size()[2]
        diff_x = x2.size()[3] - x1.size()[3]
        x1 = F.pad(x1, [diff_x // 2, diff_x - diff_x // 2, diff_y // 2, diff_y - diff_y // 2])
        return self.conv(torch.cat([x2, x1], dim=1))


class UNet(nn.Module):
    def __init__(self, width=4):
        super().__init__()
        self.inc = nn.Conv2d(3, width, 3, padding=1)
        self.down = nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(width, 2 * width, 3, padding=1))
        self.up = Up(width)

    def forward(self, x):
        skip = self.inc(x)
        return self.up(self.down(skip), skip)


def unet():
    return UNet()
'''


@pytest.mark.parametrize("target", ["mymodels:unet", "./mymodels.py:unet", "mymodels.py:unet", "ABSOLUTE"])
def test_the_users_own_model_file(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    """In the folder of mymodels.py, as `python -m` finds it; F.pad by the size difference is `pad: to` at any size."""
    (tmp_path / "mymodels.py").write_text(USER_MODEL)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(__import__("sys").modules, "mymodels", raising=False)
    target = f"{tmp_path / 'mymodels.py'}:unet" if target == "ABSOLUTE" else target
    out = tmp_path / "unet.yaml"
    result = run("import", "torch", target, "-i", "1,3,31,47", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert '{name: "up.pad", type: "pad", to: "inc", align: "center"}' in out.read_text()
    assert str(tmp_path) not in __import__("sys").path  # the folder leaves the path after the import
    model = __import__("mymodels").unet()
    for size in ((1, 3, 31, 47), (1, 3, 100, 57), (1, 3, 64, 64)):
        data = json.loads(run("stack", str(out), "-i", ",".join(map(str, size)), "-f", "json").stdout)
        assert data["layers"][-1]["output"] == list(model(torch.zeros(size)).shape)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("nothere:unet", "No module named 'nothere' (looked in the working directory "),
        ("./nothere.py:unet", "cannot import ./nothere.py:unet: ModuleNotFoundError: no file ./nothere.py"),
    ],
)
def test_a_model_file_not_found_says_where_it_looked(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("import", "torch", target, "-i", "1,3,8,8")
    assert (result.exit_code, result.stdout) == (2, "")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_refusal_names_the_line_of_the_users_code(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A node not followed is said with its file and line in the model's forward, not torch's own code."""
    (tmp_path / "odd.py").write_text(
        "import torch\nfrom torch import nn\n\n\nclass M(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.c = nn.Conv2d(3, 8, 3)\n\n    def forward(self, x):\n"
        "        y = self.c(x)\n        return torch.cumsum(y, 1)\n"
    )
    monkeypatch.chdir(tmp_path)
    result = run("import", "torch", "odd.py:M", "-i", "1,3,16,16")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "convcalc: error: import torch: node 'cumsum' (call_function cumsum) at odd.py:12 "
        "(return torch.cumsum(y, 1)): convcalc does not follow this operation\n"
    )


FUNCTIONAL_MODEL = """
import torch
import torch.nn.functional as F
from torch import nn


class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(3, 8, 3)
        self.gw, self.gb = nn.Parameter(torch.ones(8)), nn.Parameter(torch.zeros(8))
        self.w, self.b = nn.Parameter(torch.ones(5, 8)), nn.Parameter(torch.zeros(5))
        self.w2 = nn.Parameter(torch.ones(4, 5))

    def forward(self, x):
        y = F.group_norm(F.group_norm(self.c(x), 2, self.gw, self.gb), 4)
        return F.linear(F.linear(y.mean((2, 3)), self.w, self.b), self.w2)
"""


def test_functional_linear_and_group_norm(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """F.linear and F.group_norm with the model's parameters are the modules they compute, counted as torch counts."""
    (tmp_path / "functional.py").write_text(FUNCTIONAL_MODEL)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "f.yaml"
    result = run("import", "torch", "functional.py:M", "-i", "1,3,16,16", "--expect", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text()
    assert '{name: "group_norm_1", type: "GroupNorm", num_groups: 4, num_channels: 8, affine: false' in text
    assert '{name: "linear_1", type: "Linear", in_features: 5, out_features: 4, bias: false' in text
    assert run("check", str(out)).exit_code == 0
    data = json.loads(run("stack", str(out), "-f", "json").stdout)
    model = __import__("functional").M()
    assert data["total_params"] == sum(p.numel() for p in model.parameters())


SLICING_MODEL = """
import torch
from torch import nn


class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(3, 8, 3)

    def forward(self, x):
        y = self.c(x)
        return torch.cat([y[:, :4] * 2, y[:, 4:, ...], y[..., :, :]], dim=1)


class Spatial(M):
    def forward(self, x):
        return self.c(x)[:, :, 1:]


class Computed(M):
    def forward(self, x):
        return self.c(x)[:, :, : x.size(2) // 3]
"""


def test_slices_of_the_channels_are_narrows(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """x[:, a:b] is a narrow of the channels (GhostNet, DPN), of a spatial axis a `slice`; computed bounds are refused."""
    (tmp_path / "slicing.py").write_text(SLICING_MODEL)
    monkeypatch.chdir(tmp_path)
    result = run("import", "torch", "slicing.py:M", "-i", "1,3,16,16", "--expect")
    assert result.exit_code == 0, result.stderr
    assert '{name: "getitem", type: "narrow", dim: 1, start: 0, length: 4, expect: [1, 4, 14, 14]}' in result.stdout
    assert (
        '{name: "getitem_1", type: "narrow", dim: 1, start: 4, length: 4, from: "c", expect: [1, 4, 14, 14]}'
        in result.stdout
    )
    assert '{name: "getitem_2", type: "identity", from: "c", expect: [1, 8, 14, 14]}' in result.stdout
    spatial = run("import", "torch", "slicing.py:Spatial", "-i", "1,3,16,16")
    assert '{name: "getitem", type: "slice", dim: 2, start: 1}' in spatial.stdout
    refused = run("import", "torch", "slicing.py:Computed", "-i", "1,3,16,16")
    assert refused.exit_code == 2
    assert "at slicing.py:23 (return self.c(x)[:, :, : x.size(2) // 3]): a slice with computed bounds" in refused.stderr


def test_an_optional_input_left_at_its_default_is_not_an_input(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """forward(x, scale=2.0): one input (timm's attention blocks take attn_mask=None); two required ones are two."""
    (tmp_path / "optional.py").write_text(
        "from torch import nn\n\n\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.c = nn.Conv2d(3, 8, 3)\n\n    def forward(self, x, scale=2.0):\n"
        "        return self.c(x) * scale\n\n\n"
        "class Two(M):\n    def forward(self, x, y):\n        return self.c(x) + self.c(y)\n"
    )
    monkeypatch.chdir(tmp_path)
    result = run("import", "torch", "optional.py:M", "-i", "1,3,16,16")
    assert result.exit_code == 0, result.stderr
    assert "inputs:" not in result.stdout
    two = run("import", "torch", "optional.py:Two", "-i", "1,3,16,16")
    assert two.exit_code == 0, two.stderr
    assert 'inputs:\n  "x": [1, 3, 16, 16]\n  "y": "x"\n' in two.stdout


def test_a_reshaped_layer_scale_counts_its_parameters(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """x.mul(gamma.reshape(1, -1, 1, 1)) (timm's InceptionNeXt) is a learned scale: its parameters count."""
    (tmp_path / "scaled.py").write_text(
        "import torch\nfrom torch import nn\n\n\nclass M(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.c = nn.Conv2d(3, 8, 3)\n"
        "        self.gamma = nn.Parameter(torch.ones(8))\n\n    def forward(self, x):\n"
        "        return self.c(x).mul(self.gamma.reshape(1, -1, 1, 1)) * 0.5\n"
    )
    monkeypatch.chdir(tmp_path)
    result = run("import", "torch", "scaled.py:M", "-i", "1,3,16,16")
    assert result.exit_code == 0, result.stderr
    assert '{name: "mul", type: "scale", shape: [1, 8, 1, 1]}' in result.stdout
    assert '{name: "mul_1", type: "identity"}' in result.stdout
    data = json.loads(run("stack", "-", "-f", "json", stdin=result.stdout).stdout)
    model = __import__("scaled").M()
    assert data["total_params"] == sum(p.numel() for p in model.parameters())


ATTENTION_MODEL = """
import torch
import torch.nn.functional as F
from torch import nn


class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.patches = nn.Conv2d(3, 12, 4, 4)
        self.cls = nn.Parameter(torch.zeros(1, 1, 12))
        self.reg = nn.Parameter(torch.zeros(1, 2, 12))
        self.pos = nn.Parameter(torch.zeros(1, 19, 12))
        self.self_attention = nn.MultiheadAttention(12, 3, batch_first=True)
        self.cross = nn.MultiheadAttention(12, 2, kdim=5, vdim=7, bias=False, add_bias_kv=True)
        self.key = nn.Linear(12, 5)
        self.value = nn.Linear(12, 7)
        self.qkv = nn.Linear(12, 36)
        self.head = nn.Linear(12, 4)

    def forward(self, x):
        x = self.patches(x).flatten(2).transpose(1, 2)
        n = x.shape[0]
        x = torch.cat([self.cls.expand(n, -1, -1), self.reg.expand(n, -1, -1), x], dim=1) + self.pos
        x = x + self.self_attention(x, x, x, need_weights=False)[0]
        t = x.transpose(0, 1)
        x = x + self.cross(t, self.key(t), self.value(t), need_weights=False)[0].transpose(0, 1)
        q, k, v = self.qkv(x).reshape(n, 19, 3, 3, 4).permute(2, 0, 3, 1, 4).unbind(0)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        b = (q @ k.transpose(-2, -1)).softmax(-1) @ v
        x = x + (a + b).transpose(1, 2).reshape(n, 19, 12)
        return self.head(x[:, 0])


class Weights(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = nn.MultiheadAttention(4, 2)

    def forward(self, x):
        out, weights = self.attention(x, x, x)
        return out * weights.sum()
"""


def test_attention_and_tokens_are_read_and_cost_what_torch_counts(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Class and register tokens, a position embedding, MultiheadAttention (self, cross), qkv, unbind, SDPA, @, x[:, 0]."""
    (tmp_path / "attention.py").write_text(ATTENTION_MODEL)
    monkeypatch.chdir(tmp_path)
    result = run("import", "torch", "attention.py:M", "-i", "2,3,16,16", "--expect")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert '{name: "cat", type: "tokens", count: 3, expect: [2, 19, 12]}' in text
    assert '{name: "add", type: "shift", shape: [1, 19, 12], expect: [2, 19, 12]}' in text
    assert 'type: "MultiheadAttention", embed_dim: 12, num_heads: 3, batch_first: true' in text
    assert 'type: "MultiheadAttention", embed_dim: 2' not in text
    assert 'kdim: 5, vdim: 7, bias: false, add_bias_kv: true, from: ["transpose_1", "key", "value"]' in text
    assert 'type: "select", dim: 0, index: 2' in text
    assert 'is_causal: true, from: ["getitem_3", "getitem_4", "getitem_5"], expect: [2, 3, 19, 4]' in text
    assert '{name: "matmul", type: "matmul", from: ["getitem_3", "transpose_3"], expect: [2, 3, 19, 19]}' in text
    assert '{name: "softmax", type: "softmax", dim: -1, expect: [2, 3, 19, 19]}' in text
    assert '{name: "getitem_6", type: "select", dim: 1, index: 0, expect: [2, 12]}' in text
    assert run("check", "-", stdin=text).exit_code == 0
    data = json.loads(run("stack", "-", "-f", "json", stdin=text).stdout)
    module = __import__("attention")
    model = module.M()
    assert data["total_params"] == sum(p.numel() for p in model.parameters())
    counter = torch.utils.flop_counter.FlopCounterMode(display=False)
    torch.backends.mha.set_fastpath_enabled(False)
    with torch.no_grad(), torch.nn.attention.sdpa_kernel(torch.nn.attention.SDPBackend.MATH), counter:
        model(torch.zeros(2, 3, 16, 16))
    assert data["total_flops"] == counter.get_total_flops()
    refused = run("import", "torch", "attention.py:Weights", "-i", "5,1,4")
    assert refused.exit_code == 2
    assert "the attention weights are not followed (call it with need_weights=False)" in refused.stderr


def test_normalize_view_as_and_a_device_read(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """F.normalize keeps the shape, x.view_as(y) takes y's shape (as traced), x.device computes no tensor."""
    (tmp_path / "small.py").write_text(
        "import torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n\nclass M(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.c = nn.Conv2d(3, 8, 3)\n\n"
        "    def forward(self, x):\n        y = F.normalize(self.c(x), dim=1)\n        key = str(y.device)\n"
        "        return y.flatten(2).view_as(y) * (2.0 if key else 1.0)\n"
    )
    monkeypatch.chdir(tmp_path)
    result = run("import", "torch", "small.py:M", "-i", "1,3,8,8", "--expect")
    assert result.exit_code == 0, result.stderr
    assert '{name: "normalize", type: "identity", expect: [1, 8, 6, 6]}' in result.stdout
    assert '{name: "view_as", type: "view", shape: [1, 8, 6, 6], expect: [1, 8, 6, 6]}' in result.stdout
    assert "layer 'view_as': sizes read off a tensor are written as they are at the input [1, 3, 8, 8]" in result.stderr


WINDOWS_MODEL = """
import torch
import torch.nn.functional as F
from torch import nn


def window_reverse(windows, size, height, width):
    channels = windows.shape[-1]
    x = windows.view(-1, height // size, width // size, size, size, channels)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, height, width, channels)


torch.fx.wrap("window_reverse")


class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(3, 8, 2, 2)

    def forward(self, x):
        y = self.c(x).permute(0, 2, 3, 1)
        _, height, width, _ = y.shape
        y = F.pad(y, (0, 0, 0, (4 - width % 4) % 4, 0, (4 - height % 4) % 4))
        y = torch.roll(y, shifts=(-2, -2), dims=(1, 2))
        windows = y.view(-1, height // 4, 4, width // 4, 4, 8).permute(0, 1, 3, 2, 4, 5).reshape(-1, 4, 4, 8)
        y = window_reverse(windows, 4, height, width)
        return y[:, :height, :width, :].contiguous()
"""


def test_timms_swin_pattern(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pad of [N, H, W, C] by zero, roll, a wrapped window_reverse and x[:, :H, :W] whole (timm's Swin)."""
    (tmp_path / "windows.py").write_text(WINDOWS_MODEL)
    monkeypatch.chdir(tmp_path)
    result = run("import", "torch", "windows.py:M", "-i", "1,3,16,16", "--expect")
    assert result.exit_code == 0, result.stderr
    assert '{name: "pad", type: "identity", expect: [1, 8, 8, 8]}' in result.stdout
    assert '{name: "roll", type: "identity", expect: [1, 8, 8, 8]}' in result.stdout
    assert '{name: "window_reverse", type: "reshape", shape: [1, 8, 8, 8], expect: [1, 8, 8, 8]}' in result.stdout
    assert '{name: "getitem_4", type: "identity", expect: [1, 8, 8, 8]}' in result.stdout
    assert run("check", "-", stdin=result.stdout).exit_code == 0


def test_a_module_called_again_shares_its_weights(run: Any, tmp_path: Path) -> None:
    """Each later call of a module with weights says `shares` its first call: torch's parameters, counted once."""
    out = tmp_path / "shared.yaml"
    result = run("import", "torch", f"{FACTORIES}:SharedHead", "-i", "1,3,16,16", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text()
    assert 'name: "down_1", type: "Conv2d"' in text
    assert 'shares: "down"' in text
    assert 'shares: "head"' in text
    assert 'shares: "norm"' in text
    assert 'name: "act_1", type: "ReLU"}' in text  # a module without weights called again: nothing to share
    data = json.loads(run("stack", str(out), "-f", "json").stdout)
    model = __import__(FACTORIES, fromlist=["SharedHead"]).SharedHead()
    assert data["total_params"] == sum(p.numel() for p in model.parameters())
    assert [layer["params"] for layer in data["layers"] if layer["name"].endswith("_1")] == [0, 0, 0, 0]


def test_strided_slices_of_spatial_axes_follow_any_input(run: Any, tmp_path: Path) -> None:
    """x[:, :, ::2, 1::2]: a `slice` per axis cut, Python's bounds kept, so other sizes come out as torch's."""
    out = tmp_path / "strided.yaml"
    result = run("import", "torch", f"{FACTORIES}:Strided", "-i", "1,3,10,10", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text()
    assert '{name: "getitem:0", type: "slice", dim: 2, step: 2}' in text
    assert '{name: "getitem_1", type: "slice", dim: 3, end: -1, step: 2}' in text
    model = __import__(FACTORIES, fromlist=["Strided"]).Strided()
    for size in ([1, 3, 10, 10], [2, 3, 14, 22]):
        data = json.loads(run("stack", str(out), "-i", ",".join(map(str, size)), "-f", "json").stdout)
        assert data["output"] == list(model(torch.zeros(size)).shape)


def test_biases_joined_rotary_halves_and_a_tabled_mask(run: Any, tmp_path: Path) -> None:
    """A cat of q, zero k and v biases is a shift after the Linear; torch.stack; a mask's table counts in attention."""
    out = tmp_path / "tabled.yaml"
    result = run("import", "torch", f"{FACTORIES}:TabledAttention", "-i", "1,4,8", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text()
    assert '{name: "linear:0", type: "Linear", in_features: 8, out_features: 24, bias: false}' in text
    assert '{name: "linear", type: "shift", shape: [24], params: 16, buffers: 8}' in text  # the node's own output
    assert 'type: "stack", dim: -1' in text
    assert 'type: "scaled_dot_product_attention", params: 14, indices: 16' in text
    data = json.loads(run("stack", str(out), "-f", "json").stdout)
    model = __import__(FACTORIES, fromlist=["TabledAttention"]).TabledAttention()
    assert data["total_params"] == sum(p.numel() for p in model.parameters())
    assert data["buffers"] == sum(b.numel() for b in model.buffers())
    assert data["output"] == list(model(torch.zeros(1, 4, 8)).shape)


def test_a_weight_computed_from_parameters_is_the_convolutions(run: Any, tmp_path: Path) -> None:
    """F.conv2d by a standardized weight: a Conv2d of its shape, the gain held by a scale after it."""
    out = tmp_path / "standardized.yaml"
    result = run("import", "torch", f"{FACTORIES}:Standardized", "-i", "1,3,8,8", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    text = out.read_text()
    assert '{name: "conv2d:0", type: "Conv2d", out_channels: 4, kernel_size: [3, 3], padding: 1}' in text
    assert '{name: "conv2d", type: "scale", shape: [4, 1, 1], params: 4}' in text
    data = json.loads(run("stack", str(out), "-f", "json").stdout)
    model = __import__(FACTORIES, fromlist=["Standardized"]).Standardized()
    assert data["total_params"] == sum(p.numel() for p in model.parameters())
    assert data["output"] == list(model(torch.zeros(1, 3, 8, 8)).shape)


def test_a_tensor_made_by_a_convolution_on_constants_costs_its_flops(run: Any, tmp_path: Path) -> None:
    """XCiT's Fourier encoding: the shift it makes holds the convolution's parameters and FlopCounterMode's FLOPs."""
    from torch.utils.flop_counter import FlopCounterMode

    out = tmp_path / "fourier.yaml"
    result = run("import", "torch", f"{FACTORIES}:FourierShift", "-i", "1,4,8,8", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert '{name: "add", type: "shift", shape: [1, 4, 8, 8], params: 28, buffers: 384, flops: 3072}' in out.read_text()
    model = __import__(FACTORIES, fromlist=["FourierShift"]).FourierShift()
    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, 4, 8, 8))
    data = json.loads(run("stack", str(out), "-f", "json").stdout)
    assert (data["total_params"], data["total_flops"]) == (28, counter.get_total_flops())


TWIN = '''
import torch
from torch import nn


class Twin(nn.Module):
    """Two images through one encoder (its weights shared), joined."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU())
        self.head = nn.Conv2d(16, 2, 3, padding=1)

    def forward(self, image1, image2):
        return self.head(torch.cat([self.encoder(image1), self.encoder(image2)], dim=1))
'''


def test_a_model_of_two_images_is_a_network_of_two_inputs(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """forward(image1, image2): each input by its argument's name, the second of the first's shape, the encoder shared."""
    (tmp_path / "twin.py").write_text(TWIN)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(__import__("sys").modules, "twin", raising=False)
    out = tmp_path / "twin.yaml"
    result = run("import", "torch", "twin.py:Twin", "-i", "1,3,32,48", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert 'inputs:\n  "image1": [1, 3, 32, 48]\n  "image2": "image1"\n' in out.read_text()
    model = __import__("twin").Twin()
    for size in ((1, 3, 32, 48), (2, 3, 64, 17)):
        data = json.loads(run("stack", str(out), "-i", ",".join(map(str, size)), "-f", "json").stdout)
        zeros = torch.zeros(size)
        assert data["layers"][-1]["output"] == list(model(zeros, zeros).shape)
        assert data["total_params"] == sum(p.numel() for p in model.parameters())
