"""Import every torchvision model with `convcalc import torch` and hold each against torch itself.

Run in the environment of tools/make_model_fixtures.py (torch 2.14.1, torchvision 0.29.1, timm):

    python tools/probe_torch_zoo.py [--onnx] [--torchscript] [--dynamic] [--unoptimized] [--timm NAME ...] [MODEL ...]
    python tools/probe_torch_zoo.py --reread --onnx ...   (the exports already made, read again)

Each model of `torchvision.models.list_models()` (and the timm models named) is built with
weights=None (and weights_backbone=None), imported by convcalc's importer at its usual input,
and measured by torch: its parameters, and FlopCounterMode's FLOPs (attention on its counted
kernels, see tools/make_transformer_fixtures.py). Prints one line per model, `ok` when the
import's parameters and FLOPs equal torch's (the parameters the output depends on: GoogLeNet
keeps auxiliary classifiers it does not run), else the one line convcalc refused it with; writes
the outcome of every model to docs/zoo.json, which README's table of the zoo is made from
(tools/zoo_table.py). With --onnx, each model is also exported by torch's default ONNX exporter
(dynamo, graph only, into ZOO_ONNX: /tmp/zoo_onnx unless said) and the file read by
`convcalc stack`'s reader, held against the same truth (the outcome's "onnx"). With
--torchscript, likewise by the older TorchScript exporter at opset 17, with the batch and
spatial axes open (into ZOO_ONNX/torchscript, read at the probe's input; the outcome's
"torchscript"); with --dynamic, by the default exporter with those axes open, and with
--unoptimized by it without its optimizer (tools/probe_dynamo_exports.py's ROUTES). A route
not asked keeps its earlier outcome.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import torch
import torchvision
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import convcalc  # noqa: E402
from convcalc.core.cost import network_cost  # noqa: E402
from convcalc.core.errors import ConvcalcError  # noqa: E402
from convcalc.importers.torch_detection import is_detector  # noqa: E402
from convcalc.importers.torch_fx import network_data  # noqa: E402
from convcalc.sources.models import torch_import_vocabulary  # noqa: E402

OUT = Path(os.environ.get("ZOO_OUT", ROOT / "docs" / "zoo.json"))
ONNX_FOLDER = Path(os.environ.get("ZOO_ONNX", Path(tempfile.gettempdir()) / "zoo_onnx"))
"""Where the outcomes go (ZOO_OUT: elsewhere, for a sample of timm's models, say)."""
VIDEO = (1, 3, 16, 112, 112)
SHAPES = {"mvit_v1_b": (1, 3, 16, 224, 224), "mvit_v2_s": (1, 3, 16, 224, 224), "s3d": (1, 3, 16, 224, 224)}
"""Inputs other than an image of 224×224: the video models' clips (MViT's and S3D's at 224)."""
ROUTES = ("onnx", "torchscript", "dynamic", "unoptimized")
"""The exporters' routes, as tools/probe_dynamo_exports.py exports them (it needs onnx, loaded for them alone)."""
OPEN_AXES = {"torchscript", "dynamic"}
"""The routes whose files leave the batch and spatial axes open: read at the probe's input."""
TWO_INPUTS = {"raft_large", "raft_small"}
"""Models that take two images (not exported: torch's model runs on one here)."""


def _shape(name: str) -> tuple[int, ...]:
    if name in SHAPES:
        return SHAPES[name]
    if name.startswith(("r3d", "mc3", "r2plus1d", "swin3d")):
        return VIDEO
    return (1, 3, 224, 224)


def _build(name: str, source: str) -> torch.nn.Module:
    if source == "timm":
        import timm

        return timm.create_model(name, pretrained=False).eval()
    try:
        return torchvision.models.get_model(name, weights=None, weights_backbone=None).eval()
    except TypeError:  # a model without a backbone to load
        return torchvision.models.get_model(name, weights=None).eval()


BOXES: dict[str, int] = {}
"""How many boxes each R-CNN branch pooled in the last run (roi_heads.box_roi_pool -> count)."""


def _truth(model: torch.nn.Module, shape: tuple[int, ...]) -> tuple[int, int, int]:
    """Return torch's parameters, FlopCounterMode's FLOPs, and the parameters the output does not depend on.

    GoogLeNet and Inception V3 keep their auxiliary classifiers in eval mode without running
    them; autograd's graph of the output says which parameters it was computed from. A
    detector takes a list of images, and its output depends on most weights through indices
    (the boxes kept), which autograd does not follow: all of them count; the boxes each R-CNN
    branch pooled are kept in BOXES (the image decides them).
    """
    torch.backends.mha.set_fastpath_enabled(False)
    detector = is_detector(model)
    hooks = [
        module.register_forward_hook(lambda _, __, output, name=name: BOXES.__setitem__(name, output.shape[0]))
        for name, module in model.named_modules()
        if name.endswith("_roi_pool")
    ]
    BOXES.clear()
    images = 2 if type(model).__name__ == "RAFT" else 1  # RAFT's two frames
    with sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as counter:  # forward only: its FLOPs
        output = model(
            [torch.zeros(shape[1:]) for _ in range(shape[0])] if detector else torch.zeros(shape),
            *([torch.zeros(shape)] * (images - 1)),
        )
    for hook in hooks:
        hook.remove()
    total = sum(p.numel() for p in model.parameters())
    if detector:
        return total, int(counter.get_total_flops()), 0
    used: set[int] = set()
    waiting = [t.grad_fn for t in _tensors(output) if t.grad_fn is not None]
    seen: set[int] = set()
    while waiting:
        function = waiting.pop()
        if id(function) in seen:
            continue
        seen.add(id(function))
        if hasattr(function, "variable"):
            used.add(id(function.variable))
        waiting.extend(f for f, _ in function.next_functions if f is not None)
    unused = sum(p.numel() for p in model.parameters() if id(p) not in used)
    return total, int(counter.get_total_flops()), unused


def _as_run(data: dict[str, Any]) -> dict[str, Any]:
    """Return a detector's network data with each R-CNN branch's boxes as many as torch's run pooled."""
    layers = [{**layer, "boxes": BOXES[layer["name"]]} if layer["name"] in BOXES else layer for layer in data["layers"]]
    return {**data, "layers": [{k: v for k, v in layer.items() if k != "expect"} for layer in layers]}


def _tensors(output: Any) -> list[torch.Tensor]:  # noqa: ANN401 - a model's output: a tensor, a dict or a tuple of them
    """Return the tensors a model's output holds."""
    if isinstance(output, torch.Tensor):
        return [output]
    values = output.values() if isinstance(output, dict) else output if isinstance(output, list | tuple) else []
    return [tensor for value in values for tensor in _tensors(value)]


def probe(name: str, source: str, routes: tuple[str, ...] = ()) -> dict[str, Any]:
    """Return one model's outcome: ok with its counts, or the reason it is not read (or not read right)."""
    shape = _shape(name)
    try:
        model = _build(name, source)
    except Exception as error:  # noqa: BLE001 - any failure to build is said
        return {"source": source, "status": "not built", "reason": f"{type(error).__name__}: {error}"[:200]}
    outcome: dict[str, Any] = {"source": source, "input": list(shape)}
    truth: tuple[int, int, int] | None = None
    if routes and not is_detector(model) and name not in TWO_INPUTS:  # a detector: exported with post-processing
        truth = _truth(model, shape)
        for route in routes:
            outcome[route] = _onnx_route(name, model, shape, truth, route)
        outcome |= {"params": truth[0], "flops": truth[1]} | ({"unused_params": truth[2]} if truth[2] else {})
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            data, _ = network_data(model, shape, torch_import_vocabulary())
        convcalc.report(data)
    except ConvcalcError as error:
        return outcome | {"status": "refused", "reason": _plain_reason(str(error).splitlines()[0])[:300]}
    params, flops, unused = truth or _truth(model, shape)
    result = convcalc.report(_as_run(data) if BOXES else data).result
    if BOXES:
        outcome["boxes"] = dict(BOXES)
    ours = (result.total_params, network_cost(result).total_flops)
    outcome |= {"params": params, "flops": flops, "convcalc_params": ours[0], "convcalc_flops": ours[1]}
    if unused:
        outcome["unused_params"] = unused
    return outcome | {"status": _status(ours, (params, flops, unused), result.failures)}


def _plain_reason(reason: str) -> str:
    """Return a refusal without this machine's folders: the export's file name, the package's own path."""
    return re.sub(r"\S*/site-packages/", "", reason.replace(f"{ONNX_FOLDER}/", ""))


def _status(ours: tuple[int, int], truth: tuple[int, int, int], failures: Any) -> str:  # noqa: ANN401 - layers
    """Return ok when the parameters (all, or those forward uses) and FLOPs are torch's and no layer failed."""
    params, flops, unused = truth
    return "ok" if ours[0] in (params, params - unused) and ours[1] == flops and not failures else "differs"


def _onnx_route(
    name: str, model: torch.nn.Module, shape: tuple[int, ...], truth: tuple[int, int, int], route: str
) -> dict[str, Any]:
    """Export the model by one route (ROUTES), read the file, and hold it against torch's truth."""
    from probe_dynamo_exports import export_model, file_parameters  # only these routes need onnx

    folder = ONNX_FOLDER if route == "onnx" else ONNX_FOLDER / route
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.onnx"
    if not path.exists():
        try:
            export_model(model, shape, path, route)
        except Exception as error:  # noqa: BLE001 - any exporter failure, said in one line
            return {"status": "not exported", "reason": f"{type(error).__name__}: {error}".splitlines()[0][:200]}
    try:
        result = convcalc.report(path, input_shape=shape if route in OPEN_AXES else None).result
    except ConvcalcError as error:
        return {"status": "refused", "reason": _plain_reason(str(error).splitlines()[0])[:300]}
    ours = (result.total_params, network_cost(result).total_flops)
    counts = {"convcalc_params": ours[0], "convcalc_flops": ours[1]}
    status = _status(ours, truth, result.failures)
    if route == "torchscript":  # it folds each BatchNorm into its convolution: the file's own weights are a truth too
        held = file_parameters(path)
        counts["file_params"] = held
        if status != "ok":
            status = _status(ours, (held, truth[1], 0), result.failures)
    return counts | {"status": status}


def reread(models: dict[str, Any], routes: tuple[str, ...]) -> None:
    """Read each route's file again (ZOO_ONNX) against the truth already recorded: no export, no torch run.

    What the importer's changes do to every export at once, in minutes.
    """
    for name, outcome in sorted(models.items()):
        for route in routes:
            path = (ONNX_FOLDER if route == "onnx" else ONNX_FOLDER / route) / f"{name}.onnx"
            if route not in outcome or not path.exists() or "params" not in outcome:
                continue
            truth = (outcome["params"], outcome["flops"], outcome.get("unused_params", 0))
            shape = tuple(outcome["input"])
            try:
                result = convcalc.report(path, input_shape=shape if route in OPEN_AXES else None).result
            except ConvcalcError as error:
                outcome[route] = {"status": "refused", "reason": _plain_reason(str(error).splitlines()[0])[:300]}
            else:
                ours = (result.total_params, network_cost(result).total_flops)
                counts = {"convcalc_params": ours[0], "convcalc_flops": ours[1]}
                status = _status(ours, truth, result.failures)
                held = outcome[route].get("file_params")
                if held is None and route == "torchscript":
                    from probe_dynamo_exports import file_parameters  # only this route needs onnx

                    held = file_parameters(path)
                if held is not None:
                    counts["file_params"] = held
                    if status != "ok":
                        status = _status(ours, (held, truth[1], 0), result.failures)
                outcome[route] = counts | {"status": status}
            print(name, route, outcome[route]["status"], outcome[route].get("reason", ""), flush=True)


def main(argv: list[str]) -> int:
    """Probe the models named (all of torchvision's when none), and write docs/zoo.json."""
    warnings.filterwarnings("ignore")
    torch.set_num_threads(2)
    routes = tuple(route for route in ROUTES if f"--{route}" in argv)
    if "--reread" in argv:  # the exports as they are, read again
        found = json.loads(OUT.read_text())
        reread(found["models"], routes)
        OUT.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
        return 0
    argv = [arg for arg in argv if arg.removeprefix("--") not in ROUTES]
    timm_models = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--timm"]
    named = [arg for i, arg in enumerate(argv) if arg != "--timm" and (i == 0 or argv[i - 1] != "--timm")]
    wanted = [(name, "torchvision") for name in named or ([] if timm_models else torchvision.models.list_models())]
    wanted += [(name, "timm") for name in timm_models]
    found: dict[str, Any] = json.loads(OUT.read_text()) if OUT.exists() else {}
    found["torch"], found["torchvision"] = torch.__version__.split("+")[0], torchvision.__version__.split("+")[0]
    models = found.setdefault("models", {})
    for name, source in wanted:
        kept = models.get(name, {})
        models[name] = {key: kept[key] for key in ROUTES if key in kept} | probe(name, source, routes)
        outcome = models[name]
        said = [
            f"| {route}: {outcome.get(route, {}).get('status')} {outcome.get(route, {}).get('reason', '')}"
            for route in routes
        ]
        print(name, outcome["status"], outcome.get("reason", ""), *said, flush=True)
        OUT.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
