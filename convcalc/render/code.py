"""Pure: the Python code that builds ported layers in torch.nn, Keras 3, ONNX or lax.

Each snippet is complete and pastes into a model as it is:

- torch.nn: `layer = ...`, a module over (N, C, *spatial);
- Keras 3: `layer = ...`, a layer or a Sequential over channels-last (N, *spatial, C);
- ONNX: `nodes = [...]`, nodes from `x` (N, C, *spatial) and the weight `w` to `y`;
- JAX: `def layer(x, w)` (or `layer(x)` for a pool), lax over (N, C, *spatial); the weight is
  laid out as torch.nn's (a transposed layer's with `transpose_kernel=True`).
"""

from __future__ import annotations

from dataclasses import dataclass

from convcalc.core.framework_rules import SPELLING
from convcalc.core.kinds import window_rules
from convcalc.core.spec import AxisValues, Framework, LayerSpec, PaddingMode, PaddingPairs
from convcalc.design.port import Ported, own_padding, split_pads


def _number(value: float) -> str:
    """Write a number as Python would, an integral one without its point (LPPool's norm_type 2, not 2.0)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _axes(values: AxisValues) -> str:
    """One value when every axis agrees, else a tuple."""
    return str(values[0]) if len(set(values)) == 1 else _tuple(values)


def _tuple(values: AxisValues) -> str:
    return "(" + ", ".join(map(str, values)) + ("," if len(values) == 1 else "") + ")"


def _list(values: AxisValues) -> str:
    return "[" + ", ".join(map(str, values)) + "]"


def _any(pads: PaddingPairs) -> bool:
    return any(b or a for b, a in pads)


@dataclass(frozen=True, slots=True)
class Code:
    """The code of ported layers in three stages: what comes before the layer, the layer, what comes after.

    Each stage is a list of parts: torch.nn modules or Keras layers (expressions), ONNX nodes,
    or statements of a lax function.
    """

    target: Framework
    before: tuple[str, ...]
    layer: tuple[str, ...]
    after: tuple[str, ...]
    signature: str = ""  # a lax function's first line

    @property
    def parts(self) -> tuple[str, ...]:
        """Every part in order."""
        return self.before + self.layer + self.after


IMPORTS = {
    Framework.TORCH: "from torch import nn",
    Framework.KERAS: "import keras",
    Framework.ONNX: "from onnx import helper",
    Framework.JAX: "import jax.numpy as jnp\nfrom jax import lax",
}


def code(ported: Ported, in_channels: int, out_channels: int) -> Code:
    """Return the ported layers' code, stage by stage, in the target framework."""
    writers = {
        Framework.TORCH: torch_code,
        Framework.KERAS: keras_code,
        Framework.ONNX: onnx_code,
        Framework.JAX: jax_code,
    }
    return writers[ported.target](ported, in_channels, out_channels)


def snippet(ported: Ported, in_channels: int, out_channels: int) -> str:
    """Return Python that builds the ported layers in the target framework: `layer`, or ONNX's `nodes`."""
    return assemble(code(ported, in_channels, out_channels), "nodes" if ported.target is Framework.ONNX else "layer")


def assemble(written: Code, name: str) -> str:
    """Return the imports and one assignment (or function) named `name` that builds the parts."""
    return f"{IMPORTS[written.target]}\n\n{body(written, name)}"


def body(written: Code, name: str) -> str:
    """Return the assignment (or function) without imports."""
    parts = written.parts
    target = written.target
    if target is Framework.JAX:
        return f"\n{written.signature.replace('layer', name, 1)}\n" + "\n".join(parts) + "\n"
    if target is Framework.ONNX:
        return f"{name} = [\n    " + ",\n    ".join(parts) + ",\n]\n"
    if len(parts) == 1:
        return f"{name} = {parts[0]}\n"
    open_, close = ("keras.Sequential([", "])") if target is Framework.KERAS else ("nn.Sequential(", ")")
    return f"{name} = {open_}\n    " + ",\n    ".join(parts) + f",\n{close}\n"


def pad_code(pads: PaddingPairs, target: Framework) -> Code | None:
    """Return the target's code for an explicit pad (negative values crop), or None when it pads nothing."""
    rank = len(pads)
    if not _any(pads):
        return None
    if target is Framework.TORCH:
        return Code(target, (), (_torch_pad(pads, rank, maximum=False),), ())
    if target is Framework.KERAS:
        return Code(target, (), tuple(_keras_pads(pads, rank)), ())
    if target is Framework.ONNX:
        return Code(target, (), tuple(_onnx_pad("x", "y", pads, maximum=False)), ())
    return Code(target, (), (_jax_pad("x", pads, maximum=False), "    return x"), (), "def layer(x):")


# torch.nn ---------------------------------------------------------------------------------------


def _torch_pad(pads: PaddingPairs, rank: int, *, maximum: bool) -> str:
    """torch.nn's padding modules take the last axis first: (left, right, top, bottom, front, back)."""
    flat = "(" + ", ".join(f"{b}, {a}" for b, a in reversed(pads)) + ")"
    return f'nn.ConstantPad{rank}d({flat}, float("-inf"))' if maximum else f"nn.ZeroPad{rank}d({flat})"


def _torch_window(layer: LayerSpec) -> list[str]:
    """Return the window's arguments: kernel, stride, padding, output_padding, dilation (as the class takes them)."""
    args = []
    rules = window_rules(layer.kind)
    if rules.takes_norm:
        args.append(_number(layer.norm_type))  # LPPool's first argument, norm_type; it has no padding
    args.append(f"kernel_size={_axes(layer.kernel_size)}")
    args.append(f"stride={_axes(layer.stride)}")
    if isinstance(layer.padding, PaddingMode):
        args.append(f'padding="{layer.padding.value}"')
    elif rules.torch_padding:
        args.append(f"padding={_axes(tuple(before for before, _ in layer.padding))}")
    if layer.kind.is_transposed and any(layer.output_padding):
        args.append(f"output_padding={_axes(layer.output_padding)}")
    if not layer.kind.averages and any(d != 1 for d in layer.dilation):
        args.append(f"dilation={_axes(layer.dilation)}")
    return args


def torch_code(ported: Ported, in_channels: int, out_channels: int) -> Code:
    """Return torch.nn code: padding modules (negative values crop) around the layer."""
    layer = ported.layer
    rank = layer.rank
    before = []
    if ported.pad_before is not None:
        before.append(_torch_pad(ported.pad_before, rank, maximum=window_rules(layer.kind).pads_with_minus_infinity))
    args = [str(in_channels), str(out_channels)] if not layer.kind.is_pool else []
    args += _torch_window(layer)
    if not layer.kind.is_pool and layer.groups != 1:
        args.append(f"groups={layer.groups}")
    if not layer.kind.is_pool and not layer.bias:
        args.append("bias=False")
    if layer.ceil_mode:
        args.append("ceil_mode=True")
    if window_rules(layer.kind).counts_padding_option and not ported.count_include_pad and _any(own_padding(ported)):
        args.append("count_include_pad=False")
    after = [] if ported.pad_after is None else [_torch_pad(ported.pad_after, rank, maximum=False)]
    main = f"nn.{window_rules(layer.kind).torch_class}{rank}d({', '.join(args)})"
    return Code(Framework.TORCH, tuple(before), (main,), tuple(after))


# Keras 3 ----------------------------------------------------------------------------------------


def _keras_pairs(pads: PaddingPairs) -> str:
    if len(pads) == 1:
        return _tuple(pads[0])
    return "(" + ", ".join(_tuple(pair) for pair in pads) + ")"


def _keras_pads(pads: PaddingPairs, rank: int) -> list[str]:
    """ZeroPadding for what is added, Cropping for what is cut."""
    added, cut = split_pads(pads)
    parts = []
    if _any(added):
        parts.append(f"keras.layers.ZeroPadding{rank}D({_keras_pairs(added)})")
    if _any(cut):
        parts.append(f"keras.layers.Cropping{rank}D({_keras_pairs(cut)})")
    return parts


def keras_code(ported: Ported, in_channels: int, out_channels: int) -> Code:
    """Return Keras 3 code (channels last): ZeroPadding and Cropping layers around the layer."""
    del in_channels  # Keras reads it from the input
    layer = ported.layer
    rank = layer.rank
    before = _keras_pads(ported.pad_before, rank) if ported.pad_before is not None else []
    args = [] if layer.kind.is_pool else [str(out_channels)]
    args.append(_axes(layer.kernel_size))
    args.append(f"strides={_axes(layer.stride)}")
    padding = layer.padding
    args.append(f'padding="{padding.value if isinstance(padding, PaddingMode) else "valid"}"')
    if layer.kind.is_transposed and layer.output_padding_given:
        args.append(f"output_padding={_axes(layer.output_padding)}")
    if not layer.kind.is_pool and any(d != 1 for d in layer.dilation):
        args.append(f"dilation_rate={_axes(layer.dilation)}")
    if not layer.kind.is_pool and layer.groups != 1:
        args.append(f"groups={layer.groups}")
    if not layer.kind.is_pool and not layer.bias:
        args.append("use_bias=False")
    main = f"keras.layers.{(window_rules(layer.kind).keras_class or '').format(rank)}({', '.join(args)})"
    after = _keras_pads(ported.pad_after, rank) if ported.pad_after is not None else []
    return Code(Framework.KERAS, tuple(before), (main,), tuple(after))


# ONNX -------------------------------------------------------------------------------------------


def _onnx_flat(pads: PaddingPairs) -> str:
    """ONNX's pads: every axis's begin, then every axis's end."""
    return _list(tuple(b for b, _ in pads) + tuple(a for _, a in pads))


def _onnx_pad(source: str, result: str, pads: PaddingPairs, *, maximum: bool) -> list[str]:
    """Return the nodes of a Pad over N, C and the spatial axes (negative pads crop)."""
    full = ((0, 0), (0, 0), *pads)
    name = result + "_pads"
    nodes = [f'helper.make_node("Constant", [], ["{name}"], value_ints={_onnx_flat(full)})']
    inputs = [source, name]
    if maximum:
        nodes.append(f'helper.make_node("Constant", [], ["{result}_fill"], value_float=float("-inf"))')
        inputs.append(f"{result}_fill")
    quoted = ", ".join(f'"{item}"' for item in inputs)
    nodes.append(f'helper.make_node("Pad", [{quoted}], ["{result}"], mode="constant")')
    return nodes


def onnx_code(ported: Ported, in_channels: int, out_channels: int) -> Code:
    """Return ONNX nodes from x (and the weight w) to y; Pad nodes where the layer cannot pad itself."""
    del in_channels, out_channels  # ONNX reads them from the weight
    layer = ported.layer
    before: list[str] = []
    source = "x"
    if ported.pad_before is not None:
        before = _onnx_pad(
            "x", "x_padded", ported.pad_before, maximum=window_rules(layer.kind).pads_with_minus_infinity
        )
        source = "x_padded"
    result = "y" if ported.pad_after is None else "y_full"
    attrs = [f"kernel_shape={_list(layer.kernel_size)}", f"strides={_list(layer.stride)}"]
    padding = layer.padding
    if isinstance(padding, PaddingMode):
        attrs.append(f'auto_pad="{SPELLING[Framework.ONNX][padding]}"')
    else:
        attrs.append(f"pads={_onnx_flat(padding)}")
    if any(d != 1 for d in layer.dilation):  # AveragePool and LpPool too, from opset 19 (LpPool 18)
        attrs.append(f"dilations={_list(layer.dilation)}")
    if window_rules(layer.kind).takes_norm:
        attrs.append(f"p={_number(layer.norm_type)}")
    if layer.kind.is_transposed and any(layer.output_padding):
        attrs.append(f"output_padding={_list(layer.output_padding)}")
    if not layer.kind.is_pool and layer.groups != 1:
        attrs.append(f"group={layer.groups}")
    if layer.ceil_mode:
        attrs.append("ceil_mode=1")
    if window_rules(layer.kind).counts_padding_option and ported.count_include_pad and _any(own_padding(ported)):
        attrs.append("count_include_pad=1")
    inputs = f'"{source}"' if layer.kind.is_pool else f'"{source}", "w"'
    main = f'helper.make_node("{window_rules(layer.kind).onnx_op}", [{inputs}], ["{result}"], {", ".join(attrs)})'
    after = _onnx_pad(result, "y", ported.pad_after, maximum=False) if ported.pad_after is not None else []
    return Code(Framework.ONNX, tuple(before), (main,), tuple(after))


# JAX --------------------------------------------------------------------------------------------


def _jax_pad(name: str, pads: PaddingPairs, *, maximum: bool) -> str:
    """lax.pad over N, C and the spatial axes: (low, high, interior); negative values crop."""
    config = "(" + ", ".join(f"({b}, {a}, 0)" for b, a in ((0, 0), (0, 0), *pads)) + ")"
    fill = "-jnp.inf" if maximum else "0.0"
    return f"    {name} = lax.pad({name}, jnp.array({fill}, {name}.dtype), {config})"


def _jax_padding(layer: LayerSpec, *, full: bool) -> str:
    padding = layer.padding
    if isinstance(padding, PaddingMode):
        return f'"{SPELLING[Framework.JAX][padding]}"'
    pairs = (((0, 0), (0, 0)) if full else ()) + tuple(padding)
    return "(" + ", ".join(_tuple(pair) for pair in pairs) + ("," if len(pairs) == 1 else "") + ")"


def jax_code(ported: Ported, in_channels: int, out_channels: int) -> Code:
    """Return a function over (N, C, *spatial) built from lax operations, with lax.pad where needed."""
    del in_channels, out_channels  # lax reads them from the weight
    layer = ported.layer
    rank = layer.rank
    before = []
    if ported.pad_before is not None:
        before.append(_jax_pad("x", ported.pad_before, maximum=window_rules(layer.kind).pads_with_minus_infinity))
    strides, dilation = _tuple(layer.stride), _tuple(layer.dilation)  # lax takes tuples per axis
    spatial = "DHW"[3 - rank :]
    dilated = f", rhs_dilation={dilation}" if any(d != 1 for d in layer.dilation) else ""
    if not layer.kind.is_pool and not layer.kind.is_transposed:
        groups = f", feature_group_count={layer.groups}" if layer.groups != 1 else ""
        head, weight = "def layer(x, w):", f"  # w: (out_channels, in_channels // {layer.groups}, *kernel)"
        call = f"lax.conv_general_dilated(x, w, {strides}, {_jax_padding(layer, full=False)}{dilated}{groups})"
    elif layer.kind.is_transposed:
        head, weight = "def layer(x, w):", "  # w: (in_channels, out_channels, *kernel), as torch.nn's ConvTranspose"
        numbers = f'("NC{spatial}", "OI{spatial}", "NC{spatial}")'
        call = (
            f"lax.conv_transpose(x, w, {strides}, {_jax_padding(layer, full=False)}{dilated}, "
            f"dimension_numbers={numbers}, transpose_kernel=True)"
        )
    else:
        head, weight = "def layer(x):", ""
        window, steps = _tuple((1, 1, *layer.kernel_size)), _tuple((1, 1, *layer.stride))
        padding = _jax_padding(layer, full=True)
        if window_rules(layer.kind).pads_with_minus_infinity:  # the max of its window
            call = f"lax.reduce_window(x, -jnp.inf, lax.max, {window}, {steps}, {padding})"
            if any(d != 1 for d in layer.dilation):
                call = call[:-1] + f", window_dilation={_tuple((1, 1, *layer.dilation))})"
        else:
            total = f"lax.reduce_window(x, 0.0, lax.add, {window}, {steps}, {padding})"
            count = str(_product(layer.kernel_size))
            # a padding word divides by the cells counted, whatever it resolves to
            if not ported.count_include_pad and (isinstance(layer.padding, PaddingMode) or _any(own_padding(ported))):
                count = f"lax.reduce_window(jnp.ones_like(x), 0.0, lax.add, {window}, {steps}, {padding})"
            call = f"{total} / {count}"
    if ported.pad_after is None:
        return Code(Framework.JAX, tuple(before), (f"    return {call}",), (), head + weight)
    after = (_jax_pad("y", ported.pad_after, maximum=False), "    return y")
    return Code(Framework.JAX, tuple(before), (f"    y = {call}",), after, head + weight)


def _product(values: AxisValues) -> int:
    result = 1
    for value in values:
        result *= value
    return result
