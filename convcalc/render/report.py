"""The JSON report of an analysed network, as the contract fixes its keys: a dict, and its text."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from convcalc.core.analysis import LayerResult, StackResult
from convcalc.core.cost import Cost, LayerCost, dtype_bytes
from convcalc.core.kinds import other_rules, rules_of, window_rules
from convcalc.core.receptive import GLOBAL
from convcalc.core.spec import AnyLayer, LayerSpec

if TYPE_CHECKING:
    from convcalc.core.receptive import EquivalentConv
from convcalc.render.toolkit import RenderOptions, whole_numbers


def _number(value: Fraction) -> int | float | str:
    if value.denominator == 1:
        return int(value)
    try:
        return float(value)
    except OverflowError:  # beyond a double: the exact fraction is in jump_fraction too
        return str(value)


def _equivalent_json(equivalent: EquivalentConv | None) -> dict[str, Any] | None:
    if equivalent is None:
        return None
    return {
        "zeros_inserted": equivalent.zeros_inserted,
        "stretched_input": equivalent.stretched_input,
        "padding": equivalent.padding,
        "kernel_size": equivalent.kernel_size,
        "dilation": equivalent.dilation,
        "stride": equivalent.stride,
    }


def type_word(spec: AnyLayer) -> str:
    """Return a layer's `type` in the JSON: the kind, the class name of a shape-keeping layer, the merge's operation."""
    return rules_of(spec.kind).type_word(spec)


def layer_json(layer: LayerResult, cost: LayerCost | None = None, value_bytes: int = 4) -> dict[str, Any]:
    """Return one layer's record with the contract's keys (and a few more); tuples encode as arrays."""
    spec = layer.spec
    window = spec if isinstance(spec, LayerSpec) else None
    record: dict[str, Any] = {
        "index": layer.index,
        "name": layer.name,
        "type": type_word(spec),
        "input": layer.input,
        "output": layer.output,
        "kernel_size": window.kernel_size if window else None,
        "stride": window.stride if window else None,
        "dilation": window.dilation if window else None,
        "padding": layer.padding,
    }
    if layer.sources:
        record["from"] = layer.sources
    if window is not None and window.framework.value != "torch":
        record["framework"] = window.framework.value
    if isinstance(spec, LayerSpec):
        record.update(window_rules(spec.kind).json(spec))
    else:
        record.update(other_rules(spec.kind).json(spec))
        record.update({name: list(value) if isinstance(value, tuple) else value for name, value in spec.arguments})
    jump = layer.jump
    record["receptive_field"] = layer.receptive_field
    record[f"receptive_field_{GLOBAL}"] = layer.whole_input
    record["jump"] = None if jump is None else [_number(j) for j in jump]
    record["jump_fraction"] = None if jump is None else [str(j) for j in jump]
    record["equivalent_conv"] = _equivalent_json(layer.equivalent_conv)
    record["weight_shape"] = layer.weight_shape
    record["params"] = layer.params
    record["params_without_bias"] = layer.params_without_bias
    if spec.shares is not None:
        record["shares"] = spec.shares
    if cost is not None:
        record.update(
            {
                "trainable": layer.spec.trainable,
                "trainable_params": cost.trainable_params,
                "non_trainable_params": cost.non_trainable_params,
                "buffers": cost.buffers,
                "flops": cost.flops,
                "macs": cost.macs,
                "output_bytes": cost.output_values * value_bytes,
            }
        )
    record["expect"] = spec.expect
    record["status"] = layer.status.value
    record["warnings"] = layer.warnings
    record["error"] = layer.error
    return record


def cost_json(cost: Cost) -> dict[str, Any]:
    """Return a network's cost in total: operations, parameters by kind, and memory in bytes."""
    memory = cost.memory
    return {
        "total_flops": cost.total_flops,
        "total_macs": cost.total_macs,
        "count": cost.convention.value,
        "trainable_params": cost.trainable_params,
        "non_trainable_params": cost.non_trainable_params,
        "buffers": cost.buffers,
        "memory": {
            "dtype": memory.dtype,
            "params_bytes": memory.params,
            "buffers_bytes": memory.buffers,
            "input_bytes": memory.input,
            "peak_activation_bytes": memory.peak_activations,
            "peak_layer": memory.peak_layer or None,
            "training_activation_bytes": memory.training_activations,
            "inference_bytes": memory.inference_total,
            "training_bytes": memory.training_total,
        },
    }


def to_json_dict(result: StackResult, cost: Cost, options: RenderOptions | None = None) -> dict[str, Any]:
    """Return the whole result and its cost as the contract's JSON object (tuples stand for arrays)."""
    options = options or RenderOptions()
    size = dtype_bytes(options.dtype)
    scale = result.scale
    return {
        "input": result.input,
        **({"inputs": dict(result.inputs)} if result.inputs else {}),
        "output": result.output,
        "ok": result.ok,
        "total_params": result.total_params,
        **cost_json(cost),
        "scale": None if scale is None else [str(f) for f in scale],
        "receptive_field": result.receptive_field,
        f"receptive_field_{GLOBAL}": bool(result.layers) and result.layers[-1].whole_input,
        "layers": [layer_json(layer, spent, size) for layer, spent in zip(result.layers, cost.layers, strict=True)],
    }


@whole_numbers
def render_json(result: StackResult, cost: Cost, options: RenderOptions | None = None) -> str:
    """Render the result as JSON: the summary keys one per line, then one line per layer.

    One layer per line keeps large networks fast to write (the C encoder does each line)
    and makes the output easy to diff and grep in CI logs.
    """
    import json  # only this format needs it

    document = to_json_dict(result, cost, options)
    layers = document.pop("layers")
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}," for key, value in document.items()]
    records = ",\n".join(f"    {json.dumps(layer)}" for layer in layers)
    body = f'  "layers": [\n{records}\n  ]' if layers else '  "layers": []'
    return "{\n" + "\n".join(lines) + "\n" + body + "\n}\n"
