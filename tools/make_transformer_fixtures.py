"""Record what torch says of real vision transformers, and import them: tests/fixtures/torch_transformers.json.

Run in the environment of tools/make_model_fixtures.py (torch 2.14.1, torchvision 0.29.1, timm):

    python tools/make_transformer_fixtures.py [MODEL ...]

For each model (weights=None, eval mode) at its input shape, torch's truth:

- every named node's output shape (fx's ShapeProp; traced as `convcalc import torch` traces,
  torchvision's Swin blocks whole, and named as it names them), and which nodes are computed
  from parameters and buffers alone,
- each called module's and each learnable tensor's parameters, and the totals with the buffers,
- the FLOPs FlopCounterMode counts, in total and per module, with attention counted: the
  math kernel of scaled_dot_product_attention and MultiheadAttention's slow path (FlopCounterMode
  has no formula for the CPU's fused kernel, nor for MultiheadAttention's inference fast path,
  and counts 0 there; on the GPU it counts the fused kernels as the math kernel's products).

Then the model is imported by convcalc's torch importer at that shape, with expect lines, to
tests/fixtures/torch_imports/MODEL.yaml. tests/models/test_transformers.py compares the two
without torch.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.fx
import torchvision
from torch import nn
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from convcalc.importers.torch_fx import network_data, node_names, trace  # noqa: E402 - Swin's blocks whole
from convcalc.netfile.writer import data_yaml  # noqa: E402
from convcalc.sources.models import torch_import_vocabulary  # noqa: E402
from tools.make_model_fixtures import params, shapes  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "torch_transformers.json"
IMPORTS = ROOT / "tests" / "fixtures" / "torch_imports"


def _timm(name: str) -> Callable[[], nn.Module]:
    def build() -> nn.Module:
        import timm

        return timm.create_model(name, pretrained=False)

    return build


MODELS: dict[str, tuple[Callable[[], nn.Module], tuple[int, ...]]] = {
    # name: (builder, input shape); the position embeddings fix the size
    "vit_b_16": (torchvision.models.vit_b_16, (1, 3, 224, 224)),  # nn.MultiheadAttention, a class token
    "vit_tiny_patch16_224": (_timm("vit_tiny_patch16_224"), (1, 3, 224, 224)),  # qkv, unbind, F.sdpa
    "deit_tiny_distilled_patch16_224": (_timm("deit_tiny_distilled_patch16_224"), (2, 3, 224, 224)),  # 2 tokens
    "swin_t": (torchvision.models.swin_t, (1, 3, 224, 224)),  # shifted window attention, patch merging
    "swin_v2_t": (torchvision.models.swin_v2_t, (1, 3, 256, 256)),  # V2: cosine attention, a position MLP
    # the video Swin: 3-D windows, shrunk to T (3 < 8) and to the last stage's 3x3 (< 7), 20x20 padded to 21
    "swin3d_t": (torchvision.models.video.swin3d_t, (1, 3, 6, 80, 80)),
    # MViT V2: pooling attention over a token grid, relative positions, the skip path pooled
    "mvit_v2_s": (torchvision.models.video.mvit_v2_s, (1, 3, 16, 224, 224)),
    "maxvit_t": (torchvision.models.maxvit_t, (1, 3, 224, 224)),  # einsum, swapaxes, 6-D window partitions
}


def costs(model: nn.Module, shape: tuple[int, ...]) -> dict[str, Any]:
    """Return FlopCounterMode's FLOPs, in total and per leaf module, with attention on its counted paths."""
    torch.backends.mha.set_fastpath_enabled(False)
    with torch.no_grad(), sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as counter:
        model(torch.zeros(shape))
    counts = counter.get_flop_counts()
    root = next(key for key in counts if key != "Global" and "." not in key)
    modules = {path: int(sum(counts.get(f"{root}.{path}", {}).values())) for path, _ in model.named_modules() if path}
    return {"total_flops": int(counter.get_total_flops()), "module_flops": modules}


def constants(module: torch.fx.GraphModule) -> list[str]:
    """Return the named nodes computed from parameters and buffers alone (a position bias gathered from its table)."""
    named = node_names(module.graph)
    fixed: set[torch.fx.Node] = set()
    for node in module.graph.nodes:
        if node.op == "get_attr" or (
            node.op != "placeholder" and node.all_input_nodes and set(node.all_input_nodes) <= fixed
        ):
            fixed.add(node)
    return sorted(named[node] for node in fixed if node in named and node.op != "get_attr")


def record(name: str) -> dict[str, Any]:
    """Return one model's truth, and write its imported file."""
    build, shape = MODELS[name]
    torch.manual_seed(0)
    model = build().eval()
    module = trace(model)
    truth: dict[str, Any] = {
        "input": list(shape),
        "shapes": shapes(module, shape),
        "constants": constants(module),
        "params": params(module, model),
        "total_params": sum(p.numel() for p in model.parameters()),
        "total_buffers": sum(b.numel() for b in model.buffers()),
        **costs(model, shape),
    }
    data, _ = network_data(model, shape, torch_import_vocabulary())
    write_import(name, data, shape)
    return truth


def write_import(name: str, data: dict[str, Any], shape: tuple[int, ...]) -> None:
    """Write a model's import to tests/fixtures/torch_imports/NAME.yaml."""
    IMPORTS.mkdir(exist_ok=True)
    path = IMPORTS / f"{name}.yaml"
    path.write_text(data_yaml(data, f"{name} imported by convcalc's torch importer at {list(shape)}"))


def record_models(
    out: Path, names: list[str], record: Callable[[str], dict[str, Any]], counts: tuple[str, str]
) -> None:
    """Record each model named into `out` (keeping the others already there); print its two counts."""
    warnings.filterwarnings("ignore")
    torch.set_num_threads(2)
    found: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    found["torch"] = torch.__version__.split("+")[0]
    found["torchvision"] = torchvision.__version__.split("+")[0]
    models = found.setdefault("models", {})
    for name in names:
        models[name] = record(name)
        print(f"{name}: {models[name][counts[0]]:,} parameters, {models[name][counts[1]]:,} FLOPs")
    out.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")


def main(argv: list[str]) -> None:
    """Record the models named, or all."""
    record_models(OUT, argv or list(MODELS), record, ("total_params", "total_flops"))


if __name__ == "__main__":
    main(sys.argv[1:])
