"""Record torch's shapes, parameters and FLOPs of attention and products: tests/fixtures/torch_attention.json.

Run where torch is installed (the reference for single layers is torch 2.13.0):

    pip install torch==2.13.0
    python tools/make_attention_fixtures.py

Cases drawn at random (seeded), some of them refused by torch:

- F.scaled_dot_product_attention(q, k, v) with batch axes of 0 to 2, broadcast, and enable_gqa;
- nn.MultiheadAttention with kdim and vdim, without biases, with add_bias_kv and add_zero_attn,
  batch first or not, batched or not, self-attention (one input) or query, key and value;
- torch.matmul of vectors, matrices and broadcast batches, and torch.bmm;
- torch.select (x[:, i]) of any axis, negative indices too;
- torch.einsum of one or two operands, letters shared, summed or kept, with `...` at times.

It also records the parameters and FLOPs of examples/vit_tiny.yaml's model, built in torch.

Each case records its inputs' shapes, the layer as a network file writes it, and torch's output
shape (None when torch refuses), parameters and FLOPs (FlopCounterMode; attention on the math
kernel, MultiheadAttention on its slow path: see convcalc/core/kinds/attention.py).
"""

from __future__ import annotations

import json
import random
import warnings
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812 - torch's own name
from torch import nn
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "torch_attention.json"
CASES = 120
"""Cases per kind."""


def _run(call: Any, inputs: list[list[int]]) -> tuple[list[int] | None, int]:  # noqa: ANN401 - a torch callable
    """Return the output's shape and the FLOPs counted, or None and 0 when torch refuses the inputs."""
    tensors = [torch.zeros(shape) for shape in inputs]
    counter = FlopCounterMode(display=False)
    try:
        with torch.no_grad(), sdpa_kernel(SDPBackend.MATH), counter:
            out = call(*tensors)
    except (RuntimeError, ValueError, AssertionError, IndexError):
        return None, 0
    out = out[0] if isinstance(out, tuple) else out
    return list(out.shape), int(counter.get_total_flops())


def _sizes(draw: random.Random, count: int, low: int = 1, high: int = 7) -> list[int]:
    return [draw.randint(low, high) for _ in range(count)]


def attention_case(draw: random.Random) -> dict[str, Any]:
    """Draw one F.scaled_dot_product_attention case."""
    batch = _sizes(draw, draw.randint(0, 2))
    length, keys, width, value_width = _sizes(draw, 4)
    grouped = draw.random() < 0.2 and len(batch) >= 1
    key_batch = list(batch)
    if grouped:
        key_batch[-1] = draw.choice([d for d in range(1, batch[-1] + 1) if batch[-1] % d == 0] or [1])
    elif batch and draw.random() < 0.2:
        key_batch[0] = 1
    key_width = width if draw.random() < 0.9 else width + 1
    value_keys = keys if draw.random() < 0.9 else keys + 1
    inputs = [[*batch, length, width], [*key_batch, keys, key_width], [*key_batch, value_keys, value_width]]
    output, flops = _run(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=grouped), inputs)
    layer = {"type": "scaled_dot_product_attention", **({"enable_gqa": True} if grouped else {})}
    return {"layer": layer, "inputs": inputs, "output": output, "params": 0, "flops": flops}


def multihead_case(draw: random.Random) -> dict[str, Any]:
    """Draw one nn.MultiheadAttention case."""
    heads = draw.randint(1, 4)
    embed = heads * draw.randint(1, 4)
    kdim = draw.choice([embed, embed, draw.randint(1, 9)])
    vdim = draw.choice([embed, embed, draw.randint(1, 9)])
    options = {
        "bias": draw.random() < 0.8,
        "add_bias_kv": draw.random() < 0.2,
        "add_zero_attn": draw.random() < 0.2,
        "batch_first": draw.random() < 0.5,
    }
    module = nn.MultiheadAttention(embed, heads, kdim=kdim, vdim=vdim, **options)
    batched = draw.random() < 0.8
    batch, length, keys = _sizes(draw, 3)
    selfish = kdim == vdim == embed and draw.random() < 0.5

    def shape(size: int, width: int) -> list[int]:
        if not batched:
            return [size, width]
        return [batch, size, width] if options["batch_first"] else [size, batch, width]

    query = shape(length, embed if draw.random() < 0.9 else embed + 1)
    inputs = [query] if selfish else [query, shape(keys, kdim), shape(keys, vdim)]
    output, flops = _run(lambda *x: module(x[0], x[-2 if len(x) > 1 else 0], x[-1], need_weights=False), inputs)
    layer: dict[str, Any] = {"type": "MultiheadAttention", "embed_dim": embed, "num_heads": heads}
    layer |= {key: value for key, value in options.items() if value is not (key == "bias")}
    layer |= {key: value for key, value in (("kdim", kdim), ("vdim", vdim)) if value != embed}
    params = sum(p.numel() for p in module.parameters())
    return {"layer": layer, "inputs": inputs, "output": output, "params": params, "flops": flops}


def matmul_case(draw: random.Random) -> dict[str, Any]:
    """Draw one torch.matmul or torch.bmm case."""
    if draw.random() < 0.25:
        batch, n, k, m = _sizes(draw, 4)
        other = k if draw.random() < 0.9 else k + 1
        inputs = [[batch, n, k], [draw.choice([batch, batch, 1]), other, m]]
        output, flops = _run(torch.bmm, inputs)
        return {"layer": {"type": "bmm"}, "inputs": inputs, "output": output, "params": 0, "flops": flops}
    n, k, m = _sizes(draw, 3)
    batch = _sizes(draw, draw.randint(0, 2))
    theirs = [draw.choice([size, 1]) for size in batch][draw.randint(0, len(batch)) :]
    left = draw.choice([[k], [*batch, n, k]])
    right = draw.choice([[k], [*theirs, k, m]]) if draw.random() < 0.9 else [k + 1, m]
    output, flops = _run(torch.matmul, [left, right])
    return {"layer": {"type": "matmul"}, "inputs": [left, right], "output": output, "params": 0, "flops": flops}


def einsum_case(draw: random.Random) -> dict[str, Any]:
    """Draw one torch.einsum case: one or two operands, letters shared or not, some summed, `...` at times."""
    letters = "abcdefg"
    size = {letter: draw.randint(1, 5) for letter in letters}
    count = draw.choice([1, 2, 2, 2])
    operands = ["".join(draw.sample(letters, draw.randint(1, 4))) for _ in range(count)]
    if count == 2 and draw.random() < 0.7:
        operands[1] = operands[0][-1] + operands[1].replace(operands[0][-1], "")
    used = sorted(set("".join(operands)))
    ellipsis = draw.random() < 0.2
    spread = _sizes(draw, draw.randint(1, 2)) if ellipsis else []
    output = "".join(draw.sample(used, draw.randint(0, len(used))))
    explicit = draw.random() < 0.8
    parts = ["..." + operand if ellipsis else operand for operand in operands]
    equation = ",".join(parts) + (("->" + ("..." if ellipsis else "") + output) if explicit else "")
    inputs = [[*spread, *(size[letter] for letter in operand)] for operand in operands]
    shared = sorted(set(operands[0]) & set(operands[-1])) if count == 2 else []
    if shared and draw.random() < 0.25:
        for operand, shape, wrong in zip(operands, inputs, (2, 3), strict=True):
            shape[len(spread) + operand.index(shared[0])] = wrong
    output_shape, flops = _run(lambda *x: torch.einsum(equation, *x), inputs)
    layer = {"type": "einsum", "equation": equation}
    return {"layer": layer, "inputs": inputs, "output": output_shape, "params": 0, "flops": flops}


def select_case(draw: random.Random) -> dict[str, Any]:
    """Draw one torch.select case (x[:, i] selects axis 1)."""
    shape = _sizes(draw, draw.randint(1, 4))
    dim = draw.randint(-len(shape), len(shape) - 1)
    index = draw.randint(-shape[dim] - 1, shape[dim])
    output, flops = _run(lambda x: torch.select(x, dim, index), [shape])
    layer = {"type": "select", "dim": dim, "index": index}
    return {"layer": layer, "inputs": [shape], "output": output, "params": 0, "flops": flops}


class VitTiny(nn.Module):
    """examples/vit_tiny.yaml in torch: a MultiheadAttention block, then a qkv and F.sdpa block."""

    def __init__(self) -> None:
        super().__init__()
        self.patches = nn.Conv2d(3, 96, 16, 16)
        self.cls = nn.Parameter(torch.zeros(1, 1, 96))
        self.pos = nn.Parameter(torch.zeros(1, 17, 96))
        self.ln1 = nn.LayerNorm(96)
        self.attn1 = nn.MultiheadAttention(96, 3, batch_first=True)
        self.mlp1 = nn.Sequential(nn.LayerNorm(96), nn.Linear(96, 384), nn.GELU(), nn.Linear(384, 96))
        self.ln2 = nn.LayerNorm(96)
        self.qkv = nn.Linear(96, 288)
        self.proj = nn.Linear(96, 96)
        self.mlp2 = nn.Sequential(nn.LayerNorm(96), nn.Linear(96, 384), nn.GELU(), nn.Linear(384, 96))
        self.norm = nn.LayerNorm(96)
        self.head = nn.Linear(96, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Patches, tokens, two blocks, the class token's head."""
        x = self.patches(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(1, -1, -1), x], 1) + self.pos
        y = self.ln1(x)
        x = x + self.attn1(y, y, y, need_weights=False)[0]
        x = x + self.mlp1(x)
        q, k, v = self.qkv(self.ln2(x)).view(1, 17, 3, 3, 32).permute(2, 0, 3, 1, 4).unbind(0)
        x = x + self.proj(F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(1, 17, 96))
        x = x + self.mlp2(x)
        return self.head(self.norm(x)[:, 0])


def example() -> dict[str, Any]:
    """Return the parameters and FLOPs of examples/vit_tiny.yaml's model."""
    model = VitTiny()
    shape, flops = _run(model, [[1, 3, 64, 64]])
    return {"output": shape, "params": sum(p.numel() for p in model.parameters()), "flops": flops}


def main() -> None:
    """Write the fixture."""
    warnings.filterwarnings("ignore")
    torch.backends.mha.set_fastpath_enabled(False)
    draw = random.Random(35)
    cases = {
        name: [make(draw) for _ in range(CASES)]
        for name, make in (
            ("attention", attention_case),
            ("multihead", multihead_case),
            ("matmul", matmul_case),
            ("select", select_case),
            ("einsum", einsum_case),
        )
    }
    found = {"torch": torch.__version__.split("+")[0], "cases": cases, "vit_tiny_example": example()}
    OUT.write_text(json.dumps(found) + "\n")
    for name, found in cases.items():
        refused = sum(case["output"] is None for case in found)
        print(f"{name}: {len(found)} cases, {refused} refused by torch")


if __name__ == "__main__":
    main()
