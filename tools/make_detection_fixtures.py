"""Record what torch says of torchvision's detectors, and import them: tests/fixtures/torch_detection.json.

Run in the environment of tools/make_model_fixtures.py (torch 2.14.1, torchvision 0.29.1):

    python tools/make_detection_fixtures.py [MODEL ...]

Each detector (weights=None, weights_backbone=None, eval mode) runs on one image of 3x224x224,
and torch's truth is kept: the image its transform makes, its parameters and buffers, the
FLOPs FlopCounterMode counts, how many boxes each R-CNN branch pooled (the image decides), and
the output shape of every call of every module with no submodules (a head's convolution once
per level). The model is imported by `convcalc import torch` to
tests/fixtures/torch_imports/MODEL.yaml; tests/models/test_detection.py compares the two
without torch.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import torch
import torchvision
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from convcalc.importers.torch_fx import network_import  # noqa: E402
from convcalc.sources.models import torch_import_vocabulary  # noqa: E402
from tools.make_transformer_fixtures import record_models, write_import  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "torch_detection.json"
INPUT = (1, 3, 224, 224)
MODELS = (
    "retinanet_resnet50_fpn",  # one stage: a head shared by five levels, its outputs laid out and joined
    "fcos_resnet50_fpn",  # one stage, GroupNorm heads, centre-ness
    "ssdlite320_mobilenet_v3_large",  # a fixed 320x320 image, a head per level
    "fasterrcnn_mobilenet_v3_large_320_fpn",  # two stages: RPN, roi_align of two levels, box head
    "maskrcnn_resnet50_fpn",  # and the mask branch
    "keypointrcnn_resnet50_fpn",  # and the keypoint branch (a ConvTranspose, an interpolate)
)


def record(name: str) -> dict[str, Any]:
    """Return one detector's truth, and write its imported file."""
    torch.manual_seed(0)
    model = torchvision.models.get_model(name, weights=None, weights_backbone=None).eval()
    calls: dict[str, list[list[int]]] = defaultdict(list)
    boxes: dict[str, int] = {}
    hooks = []
    for path, module in model.named_modules():
        if path.startswith("transform") or (next(module.children(), None) is not None and "roi_pool" not in path):
            continue

        def hook(_: Any, __: Any, output: Any, path: str = path) -> None:  # noqa: ANN401 - torch's hook arguments
            if isinstance(output, torch.Tensor):
                calls[path].append(list(output.shape))
                if path.endswith("_roi_pool"):
                    boxes[f"{path}"] = int(output.shape[0])

        hooks.append(module.register_forward_hook(hook))
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        images, _ = model.transform([torch.zeros(INPUT[1:])])
        model([torch.zeros(INPUT[1:])])
    for handle in hooks:
        handle.remove()
    truth = {
        "input": list(INPUT),
        "image": list(images.tensors.shape),
        "params": sum(p.numel() for p in model.parameters()),
        "buffers": sum(b.numel() for b in model.buffers()),
        "flops": int(counter.get_total_flops()),
        "boxes": {f"roi_heads.{path.split('.')[-1]}": count for path, count in boxes.items()},
        "calls": dict(calls),
    }
    with contextlib.redirect_stderr(io.StringIO()):
        data, _, notes = network_import(model, INPUT, torch_import_vocabulary())
    truth["notes"] = notes
    write_import(name, data, INPUT)
    return truth


def main(argv: list[str]) -> None:
    """Record the detectors named, or all."""
    record_models(OUT, argv or list(MODELS), record, ("params", "flops"))


if __name__ == "__main__":
    main(sys.argv[1:])
