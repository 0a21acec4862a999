"""Generate tests/fixtures/torch_models.json: every layer of real torchvision and timm models, as torch gives it.

Run in a virtual environment of its own (about 5.5 GB):

    pip install torch==2.14.1 torchvision==0.29.1 timm pyyaml
    python tools/make_model_fixtures.py [MODEL ...]

For each model (built with weights=None) and each of three input sizes, the model is traced
with torch.fx and a tensor propagated through the graph (ShapeProp); every node whose output
is a tensor is recorded under the name a network file gives that layer (the rule of
`convcalc import torch`, convcalc.importers.torch_fx.node_names):

- a module call under the module's qualified name (`layer1.0.conv1`); a module called again
  (torchvision's ReLU modules are) gets `_1`, `_2`, ... as fx numbers its nodes;
- a function or method call (add, cat, mul, flatten, mean, permute, ...) under the innermost
  module it runs in and its operation, numbered within that module (`layer1.0.add`,
  `features.1.0.block.permute_1`);
- a learnable tensor read by the graph (ConvNeXt's layer scale) with its parameter count.

It also records each module's own parameter count, the model's total, and, for a sample of
layers, the receptive field by autograd: with the activations replaced by identities (gates by
a sigmoid), max pooling by average pooling (same windows), and every weight positive,
the gradient of the outputs at one position (all channels) with respect to a large input is
non-zero exactly on the input positions they depend on; its extent per axis is the receptive
field, exact where the positions stay clear of the input's edges ("clipped" says they do not).
"whole" says that one position depends on all that the whole layer depends on, as after global
pooling (where the field is clipped too, the input is smaller than the field and it says little).
Several output positions are tried and the largest extent kept (after an upsampling, the field
depends on the position).
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
from torch.fx.passes.shape_prop import ShapeProp

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from convcalc.importers.torch_fx import node_names as names  # noqa: E402 - the names a network file gives

OUT = ROOT / "tests" / "fixtures" / "torch_models.json"


def _mask_head() -> nn.Module:
    from collections import OrderedDict

    from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor

    parts = OrderedDict(
        mask_head=MaskRCNNHeads(256, [256, 256, 256, 256], 1), mask_predictor=MaskRCNNPredictor(256, 256, 91)
    )
    return nn.Sequential(parts)  # named as in MaskRCNN's roi_heads


def _fpn() -> nn.Module:
    from torchvision.models.detection.backbone_utils import resnet_fpn_backbone

    return resnet_fpn_backbone(backbone_name="resnet18", weights=None, trainable_layers=5)


def _timm(name: str) -> Callable[[], nn.Module]:
    def build() -> nn.Module:
        import timm

        return timm.create_model(name, pretrained=False)

    return build


tv = torchvision.models
IMAGE = ((1, 3, 224, 224), (1, 3, 256, 256), (1, 3, 250, 300))
MODELS: dict[str, tuple[Callable[[], nn.Module], tuple[tuple[int, ...], ...], tuple[int, ...]]] = {
    # name: (builder, input shapes, the input shape for the receptive fields)
    "resnet50": (tv.resnet50, IMAGE, (1, 3, 640, 640)),
    "vgg11_bn": (tv.vgg11_bn, IMAGE, (1, 3, 320, 320)),
    "densenet121": (tv.densenet121, IMAGE, (1, 3, 640, 640)),
    "mobilenet_v2": (tv.mobilenet_v2, IMAGE, (1, 3, 640, 640)),
    "mobilenet_v3_small": (tv.mobilenet_v3_small, IMAGE, (1, 3, 320, 320)),
    "efficientnet_b0": (tv.efficientnet_b0, IMAGE, (1, 3, 320, 320)),
    "squeezenet1_0": (tv.squeezenet1_0, IMAGE, (1, 3, 320, 320)),
    "googlenet": (lambda: tv.googlenet(aux_logits=False, init_weights=False), IMAGE, (1, 3, 448, 448)),
    "inception_v3": (
        lambda: tv.inception_v3(aux_logits=False, init_weights=False),
        ((1, 3, 299, 299), (1, 3, 320, 320), (1, 3, 300, 350)),
        (1, 3, 800, 800),
    ),
    "shufflenet_v2_x1_0": (tv.shufflenet_v2_x1_0, IMAGE, (1, 3, 640, 640)),
    "convnext_tiny": (tv.convnext_tiny, IMAGE, (1, 3, 640, 640)),
    "regnet_y_400mf": (tv.regnet_y_400mf, IMAGE, (1, 3, 320, 320)),
    "deeplabv3_resnet50": (
        lambda: tv.segmentation.deeplabv3_resnet50(weights_backbone=None, aux_loss=False),
        ((1, 3, 224, 224), (1, 3, 250, 250), (1, 3, 256, 300)),
        (1, 3, 640, 640),
    ),
    "fcn_resnet50": (
        lambda: tv.segmentation.fcn_resnet50(weights_backbone=None, aux_loss=False),
        ((1, 3, 224, 224), (1, 3, 250, 250), (1, 3, 256, 300)),
        (1, 3, 640, 640),
    ),
    "r3d_18": (
        tv.video.r3d_18,
        ((1, 3, 16, 112, 112), (1, 3, 8, 128, 128), (1, 3, 12, 96, 112)),
        (1, 3, 48, 160, 160),
    ),
    "resnet18_fpn": (_fpn, ((1, 3, 224, 224), (1, 3, 250, 250), (1, 3, 300, 256)), (1, 3, 640, 640)),
    "maskrcnn_mask_head": (_mask_head, ((1, 256, 14, 14), (1, 256, 7, 7), (1, 256, 28, 20)), (1, 256, 96, 96)),
    "cspdarknet53": (_timm("cspdarknet53"), IMAGE, (1, 3, 768, 768)),
    "hrnet_w18_small": (  # its fusions add branches upsampled by 2, 4, 8: sizes divisible by 32
        _timm("hrnet_w18_small"),
        ((1, 3, 224, 224), (1, 3, 256, 256), (1, 3, 256, 320)),
        (1, 3, 640, 640),
    ),
}
RF_SAMPLE = 24
"""Layers per model whose receptive field is measured by autograd (spread over the graph)."""


def _tensor_shape(node: torch.fx.Node) -> list[int] | None:
    meta = node.meta.get("tensor_meta")
    return list(meta.shape) if meta is not None and hasattr(meta, "shape") else None


def trace(model: nn.Module) -> torch.fx.GraphModule:
    """Trace a model with torch.fx (timm's own leaf rules for timm models)."""
    if type(model).__module__.startswith("timm"):
        from timm.layers import _fx

        tracer = torch.fx.Tracer(autowrap_functions=tuple(_fx.get_notrace_functions()))
        leaves = tuple(_fx.get_notrace_modules())
        tracer.is_leaf_module = lambda m, q: isinstance(m, leaves) or torch.fx.Tracer.is_leaf_module(tracer, m, q)  # type: ignore[method-assign]
        graph = tracer.trace(model)
        return torch.fx.GraphModule(tracer.root, graph)
    return torch.fx.symbolic_trace(model)


def shapes(module: torch.fx.GraphModule, shape: tuple[int, ...]) -> dict[str, list[int]]:
    """Return every named node's output shape for an input of `shape`."""
    with torch.no_grad():
        ShapeProp(module).propagate(torch.zeros(shape))
    named = names(module.graph)
    return {
        named[n]: s
        for n in module.graph.nodes
        if n in named and n.op != "get_attr" and (s := _tensor_shape(n)) is not None
    }


def params(module: torch.fx.GraphModule, model: nn.Module) -> dict[str, int]:
    """Return each called module's parameter count, and each learnable tensor the graph reads."""
    named = names(module.graph)
    counts = {}
    for node in module.graph.nodes:
        if node not in named or named[node] != str(node.target):
            continue
        if node.op == "call_module":
            counts[named[node]] = sum(p.numel() for p in model.get_submodule(str(node.target)).parameters())
        elif node.op == "get_attr":
            value = module
            for part in str(node.target).split("."):
                value = getattr(value, part)
            if isinstance(value, nn.Parameter):
                counts[named[node]] = value.numel()
    return counts


IDENTITY_MODULES = (nn.ReLU, nn.ReLU6, nn.SiLU, nn.GELU, nn.Hardswish, nn.LeakyReLU)
ACTIVATIONS = ("relu", "relu_", "relu6", "silu", "gelu", "hardswish", "hardtanh", "leaky_relu")
GATES = ("sigmoid", "hardsigmoid")
"""Gates stay squashing (a sigmoid, which is nowhere flat): products of gates would otherwise over- or underflow."""
MAX_POOLS = {"max_pool1d": 1, "max_pool2d": 2, "max_pool3d": 3}


def _average(x: torch.Tensor, rank: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> torch.Tensor:
    """Pool as a max pooling with these arguments would, averaging instead (every window's cell counts)."""
    import torch.nn.functional as F  # noqa: N812

    names = ("kernel_size", "stride", "padding", "dilation", "ceil_mode")
    given = dict(zip(names, args, strict=False)) | {k: v for k, v in kwargs.items() if k in names}
    if given.get("dilation", 1) not in (1, (1,) * rank):
        raise ValueError("dilated max pooling has no average twin")
    average = (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)[rank - 1]
    return average(
        x,
        given["kernel_size"],
        given.get("stride") or given["kernel_size"],
        given.get("padding", 0),
        given.get("ceil_mode", False),
    )


class _Dependencies(torch.fx.Interpreter):
    """Run the graph with identity activations and average pooling, keeping the outputs of chosen nodes."""

    def __init__(self, module: torch.fx.GraphModule, chosen: set[torch.fx.Node]) -> None:
        super().__init__(module)
        self.chosen = chosen
        self.outputs: dict[torch.fx.Node, torch.Tensor] = {}

    def run_node(self, n: torch.fx.Node) -> Any:  # noqa: ANN401
        result = super().run_node(n)
        if n in self.chosen:
            self.outputs[n] = result
        return result

    def call_function(self, target: Any, args: Any, kwargs: Any) -> Any:  # noqa: ANN401
        name = getattr(target, "__name__", "")
        if name in ACTIVATIONS:
            return args[0]
        if name in GATES:
            return torch.sigmoid(args[0])
        if name in MAX_POOLS:
            return _average(args[0], MAX_POOLS[name], args[1:], kwargs)
        return super().call_function(target, args, kwargs)

    def call_method(self, target: Any, args: Any, kwargs: Any) -> Any:  # noqa: ANN401
        if target in ACTIVATIONS:
            return args[0]
        if target in GATES:
            return torch.sigmoid(args[0])
        return super().call_method(target, args, kwargs)

    def call_module(self, target: Any, args: Any, kwargs: Any) -> Any:  # noqa: ANN401
        module = self.fetch_attr(target)
        if isinstance(module, IDENTITY_MODULES):
            return args[0]
        if isinstance(module, (nn.Sigmoid, nn.Hardsigmoid)):
            return torch.sigmoid(args[0])
        if isinstance(module, (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)):
            rank = {nn.MaxPool1d: 1, nn.MaxPool2d: 2, nn.MaxPool3d: 3}[type(module)]
            given = {
                "kernel_size": module.kernel_size,
                "stride": module.stride,
                "padding": module.padding,
                "dilation": module.dilation,
                "ceil_mode": module.ceil_mode,
            }
            return _average(args[0], rank, (), given)
        return super().call_module(target, args, kwargs)


def _positive(model: nn.Module) -> None:
    """Give every weight a positive value (around 1/fan-in) and every bias zero, so no dependency cancels."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for module in model.modules():
            for name, value in module.named_parameters(recurse=False):
                if name == "bias":
                    value.zero_()
                    continue
                fan_in = max(1, value[0].numel()) if value.dim() > 1 else 1
                value.copy_((0.5 + torch.rand(value.shape, generator=generator, dtype=value.dtype)) / fan_in)
            if isinstance(module, nn.modules.batchnorm._BatchNorm):  # noqa: SLF001
                module.running_mean.zero_()  # type: ignore[union-attr]
                module.running_var.fill_(1.0)  # type: ignore[union-attr]


PERMUTES = ("permute",)


def _layouts(graph: torch.fx.Graph, rank: int) -> dict[torch.fx.Node, tuple[int, ...]]:
    """Return, for each node, where each axis of the input ([N, C, spatial...]) sits in its output.

    A permute moves the axes (ConvNeXt's [N, H, W, C] blocks); every other node keeps the
    layout of its first tensor argument. Nodes of another rank are left out.
    """
    layouts: dict[torch.fx.Node, tuple[int, ...]] = {}
    standard = tuple(range(rank + 2))
    for node in graph.nodes:
        shape = _tensor_shape(node)
        if shape is None or len(shape) != rank + 2:
            continue
        first = next((a for a in node.all_input_nodes if a in layouts), None)
        inherited = layouts[first] if first is not None else standard
        name = getattr(node.target, "__name__", node.target)
        if node.op in ("call_function", "call_method") and name in PERMUTES and first is not None:
            dims = node.args[1:] if len(node.args) > 2 else node.args[1]  # x.permute(0, 2, 3, 1) or permute(x, [..])
            dims = [int(d) % (rank + 2) for d in dims]
            # the output's axis i is the input's axis dims[i]: input axis a sits where dims holds inherited[a]
            inherited = tuple(dims.index(position) for position in inherited)
        layouts[node] = inherited
    return layouts


def _position(layout: tuple[int, ...], shape: torch.Size, offset: int) -> tuple[Any, ...]:
    """Return the index of one spatial position (all channels) of a tensor in this layout."""
    index: list[Any] = [slice(None)] * len(shape)
    index[layout[0]] = 0
    for axis in layout[2:]:
        index[axis] = min(shape[axis] - 1, shape[axis] // 2 + offset)
    return tuple(index)


def _mask(grad: torch.Tensor) -> torch.Tensor:
    """Return which spatial input positions a gradient is non-zero at (any channel)."""
    return grad[0].abs().sum(0) > 0


def _extents(mask: torch.Tensor) -> list[int]:
    """Return the extent per spatial axis of the positions in a mask (first to last, both counted)."""
    rank = mask.dim()
    extents = []
    for axis in range(rank):
        other = tuple(a for a in range(rank) if a != axis)
        line = mask.any(dim=other) if other else mask
        hit = line.nonzero().flatten()
        extents.append(int(hit.max() - hit.min() + 1) if len(hit) else 0)
    return extents


def receptive_fields(model: nn.Module, module: torch.fx.GraphModule, shape: tuple[int, ...]) -> dict[str, Any]:
    """Return, for a sample of layers, the receptive field per spatial axis by autograd (or "global").

    A layer is global when one output element depends on every input position that any of the
    layer's outputs depends on (after global pooling, a gate from it, a spatial mean).
    """
    _positive(model)
    model.double()
    module.double()
    named = names(module.graph)
    with torch.no_grad():
        ShapeProp(module).propagate(torch.zeros(shape, dtype=torch.float64))
    spatial = [
        n
        for n in module.graph.nodes
        if n in named and n.op != "get_attr" and (s := _tensor_shape(n)) and len(s) == len(shape)
    ]
    layouts = _layouts(module.graph, len(shape) - 2)
    step = max(1, len(spatial) // RF_SAMPLE)
    chosen = {*spatial[::step], spatial[-1]}
    rank = len(shape) - 2
    x = (0.5 + torch.rand(shape, dtype=torch.float64, generator=torch.Generator().manual_seed(1))).requires_grad_()
    runner = _Dependencies(module, chosen)
    runner.run(x)
    fields: dict[str, Any] = {}
    for node in spatial:
        if node not in chosen:
            continue
        value = runner.outputs[node]
        (grad,) = torch.autograd.grad(value.sum(), x, retain_graph=True)
        read = _mask(grad)  # what any output of the layer reads
        best = [0] * rank
        whole = True
        clipped = False
        for offset in range(4):  # a few neighbouring positions: after an upsampling the field varies
            position = _position(layouts[node], value.shape, offset)
            element = value[position].sum()  # every channel: a concat's widest part counts
            (grad,) = torch.autograd.grad(element, x, retain_graph=True)
            mask = _mask(grad)
            best = [max(b, e) for b, e in zip(best, _extents(mask), strict=True)]
            whole = whole and bool(torch.equal(mask, read))
            clipped = clipped or _touches_border(mask)
        fields[named[node]] = {"extent": best, "whole": whole, "clipped": clipped}
        print(f"  {named[node]}: {fields[named[node]]}", file=sys.stderr)
    return fields


def _touches_border(mask: torch.Tensor) -> bool:
    """Whether the positions reach the input's edge on some axis (the field may be cut there)."""
    for axis in range(mask.dim()):
        other = tuple(a for a in range(mask.dim()) if a != axis)
        line = mask.any(dim=other) if other else mask
        if bool(line[0]) or bool(line[-1]):
            return True
    return False


def model_record(name: str) -> dict[str, Any]:
    """Return the fixture of one model: shapes at each size, parameters, receptive fields."""
    build, sizes, rf_size = MODELS[name]
    torch.manual_seed(0)
    model = build().eval()
    module = trace(model)
    record: dict[str, Any] = {"sizes": {}, "params": params(module, model)}
    record["total_params"] = sum(p.numel() for p in model.parameters())
    for shape in sizes:
        record["sizes"]["x".join(map(str, shape))] = shapes(module, shape)
    record["receptive_field_input"] = list(rf_size)
    record["receptive_fields"] = receptive_fields(model, module, rf_size)
    return record


def main(argv: list[str]) -> None:
    """Write the fixture, for every model or the ones named (keeping the others already there)."""
    warnings.filterwarnings("ignore")
    torch.set_num_threads(2)
    wanted = argv or list(MODELS)
    fixture = json.loads(OUT.read_text()) if OUT.exists() else {}
    fixture["torch"] = torch.__version__.split("+")[0]
    fixture["torchvision"] = torchvision.__version__.split("+")[0]
    models = fixture.setdefault("models", {})
    for name in wanted:
        print(name, file=sys.stderr)
        record = model_record(name)
        if OUT.exists():  # read again: another run may have written its model meanwhile
            fixture["models"] = models = json.loads(OUT.read_text()).get("models", {})
        models[name] = record
        OUT.write_text(json.dumps(fixture, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
