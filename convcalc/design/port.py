"""Pure: the layers of one framework that give exactly what a layer of another framework gives.

A layer of any framework is first resolved to padding before and after each axis (negative
crops), output_padding and output sizes. A layer of the target framework computes the same
values when its own rules resolve to the same padding before each axis and the same output
size: the windows then start on the same cells and there are as many of them. convcalc tries
the target's padding words and explicit padding (with the output_padding that makes the size
come out), each checked by the target's own rules; when none fits:

- a direct convolution or pool takes padding 0 (valid) after an explicit padding step
  (a crop where negative); a pool that ONNX rounds up without dropping a window gets the
  cells it needs as padding after.
- a transposed convolution takes padding 0 and output_padding 0, and a padding step after
  it crops (negative) or pads what the source crops or adds.

When the target framework has no such layer at all (a dilated Keras pool, a grouped Keras or
lax transposed convolution, an output of size 0 outside JAX), the refusal says why.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from convcalc.core.errors import InputError, LayerError
from convcalc.core.formulas import conv_padding_for, effective_kernel, equivalent_padding, output_padding_for
from convcalc.core.framework_rules import SPELLING
from convcalc.core.kinds import window_rules
from convcalc.core.spec import AxisValues, Framework, LayerKind, LayerSpec, PaddingMode, PaddingPairs
from convcalc.core.windows import layer_shape

INCLUDES_PADDING = {Framework.TORCH: True, Framework.KERAS: False, Framework.ONNX: False, Framework.JAX: True}
"""Whether an average pool's own padding cells count in its average (torch.nn and the lax sum
divided by the window size do; Keras' same and ONNX's default count_include_pad=0 do not)."""


OVERHANG = (
    "the last window runs past the padded input, where frameworks count cells differently: "
    "its average may differ (shapes are exact)"
)


@dataclass(frozen=True, slots=True)
class Ported:
    """The target framework's layers that replace one layer: an optional pad, the layer, an optional pad.

    Pads are (before, after) per spatial axis; a negative value crops.
    """

    source: LayerSpec
    input: AxisValues
    layer: LayerSpec
    pad_before: PaddingPairs | None
    pad_after: PaddingPairs | None
    output: AxisValues
    notes: tuple[str, ...]

    @property
    def target(self) -> Framework:
        """The framework the layers are written for."""
        return self.layer.framework

    @property
    def count_include_pad(self) -> bool:
        """Whether an average pool's padding cells count in the source's average."""
        return includes_padding(self.source)


def includes_padding(layer: LayerSpec) -> bool:
    """Whether an average pool's padding cells count in its average (count_include_pad, or the framework's default)."""
    return INCLUDES_PADDING[layer.framework] if layer.count_include_pad is None else layer.count_include_pad


def _kernels(layer: LayerSpec) -> list[int]:
    """Return the dilated kernel size of each axis."""
    return [effective_kernel(k, d) for k, d in zip(layer.kernel_size, layer.dilation, strict=True)]


def _zero_padding(layer: LayerSpec) -> PaddingMode | PaddingPairs:
    """Return padding 0 in the target's own terms (lax.conv_transpose pads the stretched input by e-1)."""
    if layer.framework is Framework.KERAS:
        return PaddingMode.VALID
    if layer.framework is Framework.JAX and layer.kind.is_transposed:
        return tuple((e - 1, e - 1) for e in _kernels(layer))
    return ((0, 0),) * layer.rank


def _direct_candidates(
    base: LayerSpec, source: LayerSpec, pads: PaddingPairs, source_pads: PaddingPairs
) -> Iterator[LayerSpec]:
    """Yield the direct layers to try: explicit padding first for torch and ONNX, words first elsewhere."""
    framework = base.framework
    explicit: list[PaddingPairs] = []
    if framework is Framework.TORCH:
        explicit = [tuple((before, before) for before, _ in pads)]
    elif framework in (Framework.ONNX, Framework.JAX):
        explicit = [source_pads, pads]
    words = [word for word in _words(framework) if word is not PaddingMode.CAUSAL or base.rank == 1]
    if framework is Framework.ONNX and base.kind.is_pool:
        words = []  # onnxruntime sizes auto_pad pools its own way (dilation, kernel below the stride)
    # onnxruntime drops a last window that starts in the padding, where ONNX shape inference keeps it;
    # a rounded-up torch.nn average pool divides its last window by the cells inside the padded
    # input (or the input alone, without count_include_pad), not by the whole window
    rounds = (
        base.kind is LayerKind.MAXPOOL
        or (source.framework is Framework.TORCH and source.ceil_mode)
        or not includes_padding(source)
    )
    ceil = (False, True) if framework is Framework.TORCH and rounds else (False,)
    order = [*explicit, *words] if framework in (Framework.TORCH, Framework.ONNX) else [*words, *explicit]
    for padding in order:
        for ceil_mode in ceil:
            yield from _variant(base, padding=padding, ceil_mode=ceil_mode)


def _words(framework: Framework) -> list[PaddingMode]:
    if framework is Framework.TORCH:
        return [PaddingMode.VALID, PaddingMode.SAME]
    return sorted(SPELLING[framework], key=lambda word: word is not PaddingMode.VALID)  # valid when nothing pads


def _transposed_candidates(
    base: LayerSpec, pads: PaddingPairs, extra: AxisValues, shape: AxisValues, out: AxisValues
) -> Iterator[LayerSpec]:
    """Yield the transposed layers to try; output_padding is set to what makes each size come out."""
    framework = base.framework
    rank = base.rank
    if framework is Framework.JAX:
        for word in _words(framework):
            yield from _variant(base, padding=word)
        lax_pads = tuple(
            (equivalent_padding(k, d, b), equivalent_padding(k, d, a) + x)
            for k, d, (b, a), x in zip(base.kernel_size, base.dilation, pads, extra, strict=True)
        )
        yield from _variant(base, padding=lax_pads)
        return
    if framework is not Framework.KERAS:  # explicit padding, the output_padding that gives the size
        explicit = tuple((b, b) for b, _ in pads) if framework is Framework.TORCH else pads
        sizes = zip(shape[2:], base.kernel_size, base.stride, explicit, base.dilation, out, strict=True)
        wanted = tuple(output_padding_for(i, k, s, b, a, d, o) for i, k, s, (b, a), d, o in sizes)
        yield from _variant(base, padding=explicit, output_padding=wanted)
    if framework is Framework.KERAS:
        for word in _words(framework):
            yield from _variant(base, padding=word, output_padding_given=False)
    for padding in _words(framework):
        for trial in _variant(base, padding=padding, output_padding=(0,) * rank, output_padding_given=True):
            try:
                got = layer_shape(trial, shape).output[2:]
            except LayerError:
                continue
            wanted = tuple(o - g for o, g in zip(out, got, strict=True))
            if min(wanted) >= 0:
                yield from _variant(trial, output_padding=wanted)


def _variant(base: LayerSpec, **changes: object) -> Iterator[LayerSpec]:
    """Yield the base layer with some arguments changed, or nothing when the framework does not take them."""
    try:
        yield replace(base, **changes)  # type: ignore[arg-type]  # the changes are fields of the layer, by name
    except InputError:
        return


def _fits(candidate: LayerSpec, shape: AxisValues, before: tuple[int, ...], out: AxisValues) -> bool:
    """Whether the candidate's own rules resolve to the same padding before each axis and the same output."""
    try:
        got = layer_shape(candidate, shape)
    except LayerError:
        return False
    return (
        got.output[2:] == out
        and tuple(b for b, _ in got.padding) == before
        and (min(out) == 0 or _runs(candidate, shape, got.padding))
    )


def _runs(layer: LayerSpec, shape: AxisValues, pads: PaddingPairs) -> bool:
    """Whether the target's runtime computes what its shape rules accept, value for value.

    onnxruntime refuses output_padding from the stride up, pool pads from the kernel size
    up, and a padded input smaller than the dilated kernel. lax.conv_general_dilated with
    negative padding gives values that vary from run to run (CPU, JAX 0.10), so lax code
    crops with lax.pad instead; `pads` are torch.nn's terms, lax.conv_transpose's own are
    e-1 minus them.
    """
    if layer.framework is Framework.JAX and not layer.kind.is_pool:
        if layer.kind.is_transposed:
            pairs = zip(layer.kernel_size, layer.dilation, pads, strict=True)
            return all(equivalent_padding(k, d, max(pair)) >= 0 for k, d, pair in pairs)
        return all(min(pair) >= 0 for pair in pads)
    if layer.framework is not Framework.ONNX:
        return True
    if layer.kind.is_transposed:
        return all(a < s for a, s in zip(layer.output_padding, layer.stride, strict=True))
    if layer.kind.is_pool and any(max(pair) >= k for pair, k in zip(pads, layer.kernel_size, strict=True)):
        return False
    return all(i + b + a >= e for i, (b, a), e in zip(shape[2:], pads, _kernels(layer), strict=True))


def _floor_pads(layer: LayerSpec, spatial: AxisValues, pads: PaddingPairs, out: AxisValues) -> PaddingPairs:
    """Return the padding with each axis's after made large enough that floor division gives the wanted output size."""
    sizes = zip(spatial, pads, out, layer.kernel_size, layer.stride, layer.dilation, strict=True)
    return tuple((b, a + max(0, conv_padding_for(i, k, s, d, o) - (b + a))) for i, (b, a), o, k, s, d in sizes)


def _base(layer: LayerSpec, target: Framework) -> LayerSpec:
    """Return the source layer in the target framework, with padding 0 and no rounding up."""
    base = replace(
        layer,
        framework=target,
        ceil_mode=False,
        output_size=None,
        output_padding=(0,) * layer.rank,
        output_padding_given=True,
        padding=((0, 0),) * layer.rank,
        count_include_pad=None,  # written to count as the source counts: Ported.count_include_pad
    )
    return replace(base, padding=_zero_padding(base))


def port(layer: LayerSpec, shape: AxisValues, target: Framework) -> Ported:
    """Return the target framework's layers that give the same output as `layer` (any framework) on `shape`."""
    source = layer_shape(layer, shape)
    out = source.output[2:]
    spatial = shape[2:]
    if min(out) < 1 and target is not Framework.JAX:
        msg = f"no {target} layer gives an output of size {list(out)}: {target} refuses sizes below 1"
        raise LayerError(msg)
    try:
        base = _base(layer, target)
    except InputError as error:  # the target has no layer of this kind at all
        raise LayerError(f"no {target} layer does this: {error.message}") from None
    before = tuple(b for b, _ in source.padding)
    if layer.kind.is_transposed:
        candidates = _transposed_candidates(base, source.padding, source.output_padding, shape, out)
        pad_after = tuple((-b, x - a) for (b, a), x in zip(source.padding, source.output_padding, strict=True))
        fallback = Ported(layer, shape, base, None, pad_after, out, ())
        overhangs = False
    else:
        pads = _floor_pads(layer, spatial, source.padding, out)
        candidates = _direct_candidates(base, layer, pads, source.padding)
        fallback = Ported(layer, shape, base, pads, None, out, ())
        # the last window of a rounded-up average pool reaches past the input and its padding
        overhangs = window_rules(layer.kind).counts_padding_option and any(
            a > own for (_, a), (_, own) in zip(pads, source.padding, strict=True)
        )
    ported = next(
        (Ported(layer, shape, c, None, None, out, ()) for c in candidates if _fits(c, shape, before, out)), fallback
    )
    if ported is fallback:
        try:
            got = target_output(ported, shape)
        except LayerError as error:
            raise error.retold(f"no {target} layer does this: {error.message}") from None
        if got != out:
            msg = f"porting gave {list(got)}, not {list(out)}"
            raise AssertionError(msg)
        if not _runs(ported.layer, _input_of_layer(ported), ((0, 0),) * layer.rank):
            msg = f"no {target} layer does this: onnxruntime refuses a padded input smaller than the kernel"
            raise LayerError(msg)
    notes = _value_notes(ported, source.padding)
    same_rule = ported.layer.ceil_mode and target is layer.framework is Framework.TORCH
    if overhangs and not same_rule:
        notes += (OVERHANG,)
    return replace(ported, notes=notes)


def _value_notes(ported: Ported, source_padding: PaddingPairs) -> tuple[str, ...]:
    """Say where the shapes are exact but values at the border differ from the source's."""
    layer = ported.layer
    padded_before = ported.pad_before is not None and any(b > 0 or a > 0 for b, a in ported.pad_before)
    notes = []
    rules = window_rules(layer.kind)
    if rules.pads_with_minus_infinity and padded_before and layer.framework is Framework.KERAS:
        notes.append("the padding cells are zeros here, where the source's max pool skips them (shapes are exact)")
    if rules.counts_padding_option and _pads(source_padding):
        source_counts = ported.count_include_pad
        # torch.nn, ONNX and lax are written with the source's count_include_pad; Keras' same leaves padding out
        own_counts = False if layer.framework is Framework.KERAS else source_counts
        own = _pads(own_padding(ported))
        if (padded_before and not source_counts) or (own and own_counts != source_counts):
            verb = "count in the average here, where the source leaves them out"
            if source_counts:
                verb = "are left out of the average here, where the source counts them"
            notes.append(f"some padding cells {verb} (shapes are exact)")
    if ported.pad_after is not None and any(a > 0 for _, a in ported.pad_after):
        notes.append("the cells added after are zeros here, where the source adds its bias (shapes are exact)")
    return tuple(notes)


def split_pads(pads: PaddingPairs) -> tuple[PaddingPairs, PaddingPairs]:
    """Split pads into the cells added (positive parts) and the cells cut (negative parts, as positive)."""
    return tuple((max(b, 0), max(a, 0)) for b, a in pads), tuple((max(-b, 0), max(-a, 0)) for b, a in pads)


def _pads(pads: PaddingPairs) -> bool:
    """Whether any axis gets padding cells."""
    return any(b > 0 or a > 0 for b, a in pads)


def _padded(spatial: AxisValues, pads: PaddingPairs | None) -> AxisValues:
    return spatial if pads is None else tuple(i + b + a for i, (b, a) in zip(spatial, pads, strict=True))


def _input_of_layer(ported: Ported, shape: AxisValues | None = None) -> AxisValues:
    """Return the shape that reaches the main layer (after the padding step before it)."""
    shape = ported.input if shape is None else shape
    return (*shape[:2], *_padded(shape[2:], ported.pad_before))


def own_padding(ported: Ported) -> PaddingPairs:
    """Return the padding the main layer itself applies, per axis, by the target's rules."""
    return layer_shape(ported.layer, _input_of_layer(ported)).padding


def stage_sizes(ported: Ported, shape: AxisValues | None = None) -> tuple[AxisValues, ...]:
    """Return the spatial sizes after each stage there is: the padding before, the layer, the padding after."""
    layer_input = _input_of_layer(ported, shape)
    sizes = [layer_input[2:]] if ported.pad_before is not None else []
    sizes.append(layer_shape(ported.layer, layer_input).output[2:])
    if ported.pad_after is not None:
        sizes.append(_padded(sizes[-1], ported.pad_after))
    return tuple(sizes)


def target_output(ported: Ported, shape: AxisValues) -> AxisValues:
    """Return the spatial output of the ported layers, by the target framework's own rules."""
    return stage_sizes(ported, shape)[-1]
