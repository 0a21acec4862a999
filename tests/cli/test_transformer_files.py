"""Network files with the transformer toolkit, through the CLI: read, computed, and refused in one line each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SWIN = """
input: [1, 3, 64, 64]
layers:
  - {type: Conv2d, out_channels: 32, kernel_size: 4, stride: 4}
  - {type: permute, dims: [0, 2, 3, 1]}
  - {type: LayerNorm, normalized_shape: [32]}
  - {type: ShiftedWindowAttention, name: w, dim: 32, window_size: [7, 7], shift_size: [3, 3], num_heads: 2}
  - {type: PatchMerging, name: merge, dim: 32}
  - {type: ShiftedWindowAttentionV2, dim: 64, window_size: [7, 7], shift_size: [0, 0], num_heads: 4}
"""


def test_a_swin_stage_is_computed(run: Any, tmp_path: Path) -> None:
    """Window attention keeps [N, H, W, C] (the grid padded to the window inside); merging halves H, W (rounded up)."""
    path = tmp_path / "swin.yaml"
    path.write_text(SWIN)
    result = run("stack", str(path), "-f", "json")
    assert result.exit_code == 0, result.stderr
    layers = json.loads(result.stdout)["layers"]
    assert [layer["output"] for layer in layers[3:]] == [[1, 16, 16, 32], [1, 8, 8, 64], [1, 8, 8, 64]]
    assert layers[3]["params"] == 4 * 32 * 32 + 4 * 32 + 13 * 13 * 2  # projections, biases, the bias table
    assert layers[4]["params"] == 8 * 32 * 32 + 2 * 4 * 32  # the reduction, a LayerNorm of 4C


def test_the_vit_example_checks(run: Any) -> None:
    """examples/vit_tiny.yaml holds its own shapes."""
    result = run("check", "examples/vit_tiny.yaml")
    assert result.exit_code == 0, result.stderr


BAD_KEYS = """
input: [1, 17, 8]
layers:
  - {type: scaled_dot_product_attention, from: [input, input]}
  - {type: MultiheadAttention, num_heads: 2}
  - {type: tokens, count: 0}
  - {type: select, dim: 1}
  - {type: ShiftedWindowAttention, dim: 8, num_heads: 2}
"""

BAD_SHAPES = """
input: [1, 17, 8]
layers:
  - {name: m, type: MultiheadAttention, embed_dim: 6, num_heads: 2, batch_first: true}
  - {name: mm, type: matmul, from: [input, input]}
  - {name: s, type: select, dim: 1, index: 17, from: input}
  - {name: k, type: tokens, dim: 2, from: input}
  - {name: w, type: ShiftedWindowAttention, dim: 8, window_size: [7, 7], num_heads: 2, from: input}
  - {name: a, type: scaled_dot_product_attention, from: [input, mm, input]}
"""


def test_bad_keys_are_one_line_each_and_exit_2(run: Any, tmp_path: Path) -> None:
    """A missing input, key or count: each said at its line, exit 2, no traceback."""
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_KEYS)
    result = run("stack", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{path}:4:5: layers[0]: scaled_dot_product_attention needs `from` with at least 3 layers to combine",
        f"{path}:5:5: layers[1]: MultiheadAttention needs `embed_dim`",
        f"{path}:6:27: layers[2].count: expected a positive integer, got 0",
        f"{path}:7:5: layers[3]: select needs `index`",
        f"{path}:8:5: layers[4]: ShiftedWindowAttention needs `window_size`",
    ]


def test_shapes_that_do_not_fit_are_one_line_each(run: Any, tmp_path: Path) -> None:
    """Each refusal names the layer and what to change; the check fails (exit 1) and says every one."""
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_SHAPES)
    result = run("check", str(path))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert result.stdout == "convcalc check: 1 file: 5 failing layers\n"
    expected = [
        "layer 1 (m): the query has 8 features but embed_dim is 6; set embed_dim to 8",
        "layer 2 (mm): input [1, 17, 8] and input [1, 17, 8] cannot be multiplied (8 vs 17)",
        "layer 3 (s): index 17 is out of range for an axis of 17; use an index below 17",
        "layer 4 (k): dim 2 is not an axis before the features of 3-D tensors",
        "layer 5 (w): ShiftedWindowAttention takes [N, H, W, C], got 3-D [1, 17, 8]",
    ]  # layer 6 reads layer 2: not computed, and not said again
    assert len(result.stderr.splitlines()) == len(expected)
    for line in expected:
        assert any(line in shown for shown in lines), line
    assert "Traceback" not in result.stdout + result.stderr


VIDEO_SWIN = """
input: [1, 3, 8, 64, 64]
layers:
  - {type: Conv3d, out_channels: 24, kernel_size: [2, 4, 4], stride: [2, 4, 4]}
  - {type: permute, dims: [0, 2, 3, 4, 1]}
  - {type: ShiftedWindowAttention3d, name: w, dim: 24, window_size: [8, 7, 7], shift_size: [4, 3, 3], num_heads: 2}
  - {type: PatchMerging, name: merge, dim: 24}
  - {type: ShiftedWindowAttention3d, name: flat, dim: 48, window_size: [7, 7], num_heads: 2}
"""


def test_a_video_swin_stage_is_computed(run: Any, tmp_path: Path) -> None:
    """3-D windows: shrunk to T = 4 (< 8), the 16x16 grid padded to 21x21; merging keeps T; two sizes are refused."""
    path = tmp_path / "swin3d.yaml"
    path.write_text(VIDEO_SWIN)
    result = run("stack", str(path), "-f", "json")
    assert result.exit_code == 1
    layers = json.loads(result.stdout)["layers"]
    assert [layer["output"] for layer in layers[2:4]] == [[1, 4, 16, 16, 24], [1, 4, 8, 8, 48]]
    assert layers[2]["params"] == 4 * 24 * 24 + 4 * 24 + 15 * 13 * 13 * 2  # projections, biases, the 3-D bias table
    cells = 4 * 21 * 21  # the grid padded to the (shrunk) window's multiples
    assert layers[2]["flops"] == 2 * cells * 24 * 72 + 2 * cells * 24 * 24 + 4 * cells * (4 * 7 * 7) * 24
    assert "window_size is [7, 7]: expected one or 3 positive sizes" in result.stderr


SHARED = """
input: [1, 3, 32, 32]
layers:
  - {type: Conv2d, name: p3, out_channels: 8, kernel_size: 3, padding: 1}
  - {type: Conv2d, name: p4, out_channels: 8, kernel_size: 3, stride: 2, padding: 1}
  - {type: Conv2d, name: head3, from: p3, out_channels: 4, kernel_size: 3, padding: 1}
  - {type: BatchNorm2d, name: bn3}
  - {type: Conv2d, name: head4, from: p4, out_channels: 4, kernel_size: 3, padding: 1, shares: head3}
  - {type: BatchNorm2d, name: bn4, shares: bn3}
"""


def test_a_head_on_two_levels_counts_its_weights_once(run: Any, tmp_path: Path) -> None:
    """`shares`: the layer has the named layer's weights, counted there; its FLOPs are its own."""
    path = tmp_path / "shared.yaml"
    path.write_text(SHARED)
    result = run("stack", str(path), "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [layer["params"] for layer in data["layers"]] == [224, 584, 292, 8, 0, 0]
    assert data["total_params"] == 224 + 584 + 292 + 8
    assert data["layers"][4]["flops"] == 2 * 4 * 16 * 16 * 8 * 9  # at the coarser level (FlopCounterMode: no bias)
    assert data["buffers"] == 2 * 4 + 1  # bn3's statistics and count, once
    assert data["layers"][4]["warnings"] == []
    assert data["layers"][4]["shares"] == "head3"


BAD_SHARES = """
input: [1, 3, 8, 8]
layers:
  - {type: Conv2d, name: a, out_channels: 4, kernel_size: 3, shares: b}
  - {type: Conv2d, name: b, out_channels: 4, kernel_size: 3, shares: [a]}
  - {type: Conv2d, name: c, out_channels: 4, kernel_size: 1, shares: input}
  - {type: ReLU, name: d, shares: nowhere}
"""


def test_bad_shares_are_one_line_each(run: Any, tmp_path: Path) -> None:
    """A later layer, a list, the input or an unknown name: each said at its line, exit 2."""
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_SHARES)
    result = run("stack", str(path))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 4, lines
    assert lines == [
        f"{path}:4:70: layers[0].shares: 'b' is defined later (layers[1]): a layer reads only layers before it",
        f"{path}:5:70: layers[1].shares: expected one layer's name or index, got a list",
        f"{path}:6:70: layers[2].shares: expected a layer's name or index, got input (it has no weights)",
        f"{path}:7:35: layers[3].shares: no layer named 'nowhere' before this one",
    ]


MISMATCHED = """
input: [1, 3, 8, 8]
layers:
  - {type: Conv2d, name: a, out_channels: 4, kernel_size: 3}
  - {type: Conv2d, name: b, from: input, out_channels: 4, kernel_size: 1, shares: a}
  - {type: ReLU, name: r, from: a}
  - {type: ReLU, name: s, shares: r}
"""


def test_weights_that_do_not_fit_are_refused(run: Any, tmp_path: Path) -> None:
    """Other weights than the named layer's, or a layer without weights: the check fails naming both."""
    path = tmp_path / "mismatch.yaml"
    path.write_text(MISMATCHED)
    result = run("check", str(path))
    assert result.exit_code == 1
    assert (
        "layer 2 (b): it shares the weights of layer 1 (a), but needs 16 parameters [4, 3, 1, 1] "
        "where layer 1 (a) has 112 [4, 3, 3, 3]"
    ) in result.stderr
    assert "layer 4 (s): it shares the weights of layer 3 (r), which has none" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


MVIT = """
input: [1, 3, 4, 16, 16]
layers:
  - {type: Conv3d, out_channels: 16, kernel_size: [2, 4, 4], stride: [2, 4, 4]}
  - {type: flatten, start_dim: 2}
  - {type: transpose, dim0: 1, dim1: 2}
  - {type: tokens, name: seq, count: 1}
  - {type: MultiscaleAttention, name: attn, embed_dim: 16, output_dim: 32, num_heads: 2, thw: [2, 4, 4],
     kernel_q: 3, stride_q: [1, 2, 2], kernel_kv: 3, stride_kv: [1, 2, 2]}
  - {type: TokenPool, name: skip, from: seq, thw: [2, 4, 4], kernel_size: [1, 3, 3], stride: [1, 2, 2],
     padding: [0, 1, 1]}
  - {type: MultiscaleAttention, name: wrong, from: seq, embed_dim: 16, num_heads: 2, thw: [2, 4, 5]}
"""


def test_an_mvit_stage_is_computed(run: Any, tmp_path: Path) -> None:
    """Pooling attention: the queries' grid 2x4x4 pooled to 2x2x2 (and a class token); a grid of other size refused."""
    path = tmp_path / "mvit.yaml"
    path.write_text(MVIT)
    result = run("stack", str(path), "-f", "json")
    assert result.exit_code == 1
    layers = json.loads(result.stdout)["layers"]
    assert [layer["output"] for layer in layers[3:6]] == [[1, 33, 16], [1, 9, 32], [1, 9, 16]]
    head = 16  # 32 wide, 2 heads
    pools = 3 * (head * 27 + 2 * head)  # q, k, v: a depthwise 3x3x3 Conv3d and a LayerNorm each
    assert layers[4]["params"] == 16 * 96 + 96 + 32 * 32 + 32 + pools
    projections = 2 * 33 * 16 * 96 + 2 * 9 * 32 * 32
    pooling = 3 * 2 * (2 * head) * 8 * 27  # each pool: 2 FLOPs x (heads x head channels) x 8 cells x 27 taps
    products = 2 * 2 * 2 * 9 * 9 * head  # queries x keys, then x values, per head
    assert layers[4]["flops"] == projections + pooling + products
    assert "thw [2, 4, 5] holds 40 tokens and a class token, but 33 come in" in result.stderr


def test_a_mask_made_from_learned_tables_counts_them(run: Any, tmp_path: Path) -> None:
    """BEiT's relative position bias passed as attn_mask: its table's parameters and index buffer, in the layer."""
    path = tmp_path / "masked.yaml"
    path.write_text(
        "input: [1, 4, 17, 8]\n"
        "layers:\n"
        "  - {type: scaled_dot_product_attention, from: [input, input, input], params: 3516, indices: 289}\n"
    )
    data = json.loads(run("stack", str(path), "-f", "json").stdout)
    assert (data["total_params"], data["buffers"], data["total_macs"]) == (3516, 289, data["total_flops"] // 2)
    assert data["memory"]["buffers_bytes"] == 289 * 8  # int64 indices
    torchinfo = json.loads(run("stack", str(path), "-f", "json", "--count", "torchinfo").stdout)
    assert torchinfo["total_macs"] == 0  # the tables are the module's tensors, not a layer's weight


def test_an_mvit_layer_on_other_than_a_sequence_is_one_line(run: Any, tmp_path: Path) -> None:
    """A 4-D input (found by fuzzing: it crashed): refused in one line, the check fails."""
    path = tmp_path / "mvit.yaml"
    path.write_text(
        "input: [1, 17, 8, 2]\n"
        "layers:\n"
        "  - {type: MultiscaleAttention, embed_dim: 2, num_heads: 1, thw: [1, 4, 4]}\n"
        "  - {type: TokenPool, from: input, thw: [1, 4, 4], kernel_size: 3}\n"
    )
    result = run("check", str(path))
    assert result.exit_code == 1
    assert "layer 1: MultiscaleAttention takes [N, 1 + T·H·W, C], got [1, 17, 8, 2]" in result.stderr
    assert "layer 2: TokenPool takes [N, 1 + T·H·W, C], got [1, 17, 8, 2]" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
