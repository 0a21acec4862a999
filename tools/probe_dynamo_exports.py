"""Export torchvision and timm classifiers with torch's default ONNX exporter (dynamo) and read each with convcalc.

Run in a virtual environment of its own (torch's models and exporter; convcalc installed):

    pip install torch==2.14.1 torchvision==0.29.1 timm onnx onnxscript -e .
    python tools/probe_dynamo_exports.py OUT_FOLDER [MODEL ...]

Each model is built with weights=None, exported at 1x3x224x224 (video models 1x3x16x112x112)
and saved graph-only (float initializers over 1 kB emptied; integer constants kept, as the
exporter's axes and indices need them). Each line says what `convcalc stack` made of the file:
ok with its parameters and output, or its exit code and first line.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import onnx
import timm
import torch
import torchvision

MODELS = ("resnet50", "mobilenet_v2", "mobilenet_v3_large", "efficientnet_b0", "densenet121", "googlenet",
          "inception_v3", "convnext_tiny", "regnet_y_400mf", "squeezenet1_0", "vgg11_bn", "r3d_18",
          "cspdarknet53", "hrnet_w18_small", "rexnet_100")  # fmt: skip


def export(name: str, path: Path) -> None:
    """Export one model, graph only."""
    model = (
        torchvision.models.get_model(name, weights=None)
        if name in torchvision.models.list_models()
        else timm.create_model(name, pretrained=False)
    ).eval()
    shape = (1, 3, 16, 112, 112) if name.startswith(("r3d", "mc3", "r2plus1d")) else (1, 3, 224, 224)
    export_model(model, shape, path)


ROUTES = ("onnx", "torchscript", "dynamic", "unoptimized")
"""The exporters' routes: the default (dynamo, sizes fixed, optimized); TorchScript at opset 17,
axes open; dynamo with the batch and spatial axes open; dynamo without its optimizer."""


def export_model(model: torch.nn.Module, shape: tuple[int, ...], path: Path, route: str = "onnx") -> None:
    """Export a model at an input of this shape by one route (ROUTES), graph only.

    "onnx" is torch's default exporter as `torch.onnx.export(model, (x,), path)` calls it.
    "torchscript" is the older exporter, at opset 17 with the batch and spatial axes open (named
    batch, time, height, width), as its users export; a model it cannot export so (an adaptive
    pooling to a fixed size) with its batch axis open. "dynamic" is the default exporter with
    those axes open (`dynamic_shapes`; the batch alone where the model fixes its size), and
    "unoptimized" the default exporter with `optimize=False`.
    """
    spatial = ("time", "height", "width")[5 - len(shape) :]
    open_axes = {0: "batch"} | dict(enumerate(spatial, start=2))
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        if route == "torchscript":
            try:
                proto = _torchscript_export(model, shape, open_axes)
            except torch.onnx.errors.SymbolicValueError:
                proto = _torchscript_export(model, shape, {0: "batch"})
        elif route == "dynamic":
            try:
                proto = _dynamic_export(model, shape, open_axes)
            except Exception:  # noqa: BLE001 - the exporter's constraint errors are of many types
                proto = _dynamic_export(model, shape, {0: "batch"})
        else:
            proto = torch.onnx.export(model, (torch.zeros(shape),), dynamo=True, optimize=route == "onnx").model_proto
    for tensor in proto.graph.initializer:
        if tensor.data_type == onnx.TensorProto.FLOAT and len(tensor.raw_data) > 1024:  # 1 kB
            tensor.ClearField("raw_data")
    onnx.save(proto, str(path))


def _dynamic_export(model: torch.nn.Module, shape: tuple[int, ...], open_axes: dict[int, str]) -> onnx.ModelProto:
    """Export with the default exporter, these axes of the input open."""
    dims = {axis: torch.export.Dim(name, min=2) for axis, name in open_axes.items()}
    example = torch.zeros((2, *shape[1:]))  # torch.export takes a size of 1 for a constant
    return torch.onnx.export(model, (example,), dynamo=True, dynamic_shapes=(dims,)).model_proto


def _torchscript_export(model: torch.nn.Module, shape: tuple[int, ...], open_axes: dict[int, str]) -> onnx.ModelProto:
    """Export with the TorchScript exporter at opset 17, these axes of the input open (its weights left behind)."""
    with tempfile.TemporaryDirectory() as folder:  # a file: a model over 2 GiB keeps its weights beside it
        path = Path(folder) / "model.onnx"
        torch.onnx.export(
            model,
            (torch.zeros(shape),),
            str(path),
            dynamo=False,
            opset_version=17,
            input_names=["input"],
            dynamic_axes={"input": open_axes},
        )
        return onnx.load(str(path), load_external_data=False)


def file_parameters(path: Path) -> int:
    """Return how many weights an exported file's nodes read: each node's float initializers, by node.

    Counted by node, as the layers hold them: the TorchScript exporter stores equal tensors
    once (the zero biases of an untrained model's folded BatchNorms, say), which are each
    convolution's own. BatchNormalization's running mean and variance are buffers (torch does
    not count them); Identity nodes alias an initializer under another name.
    """
    graph = onnx.load(str(path), load_external_data=False).graph
    sizes = {t.name: math.prod(t.dims) for t in graph.initializer if t.data_type == onnx.TensorProto.FLOAT}
    total = 0
    for node in graph.node:
        if node.op_type == "Identity" and node.input[0] in sizes:
            sizes[node.output[0]] = sizes[node.input[0]]
            continue
        inputs = node.input[:3] if node.op_type == "BatchNormalization" else node.input
        total += sum(sizes[name] for name in set(inputs) if sizes.get(name, 0) > 1)
    return total


def main() -> None:
    """Export and read each model; print one line each."""
    warnings.filterwarnings("ignore")
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    for name in sys.argv[2:] or MODELS:
        path = folder / f"{name}.onnx"
        if not path.exists():
            try:
                export(name, path)
            except Exception as error:  # noqa: BLE001 - any exporter failure, said in one line
                print(name, f"export failed: {type(error).__name__}: {str(error)[:100]}", flush=True)
                continue
        command = [sys.executable, "-m", "convcalc", "stack", str(path), "-f", "json"]
        run = subprocess.run(command, capture_output=True, text=True, check=False)
        if run.returncode == 0:
            data = json.loads(run.stdout)
            print(name, "ok", data["total_params"], data["layers"][-1]["output"], flush=True)
        else:
            print(name, run.returncode, (run.stderr.strip().splitlines() or [""])[0][:200], flush=True)


if __name__ == "__main__":
    main()
