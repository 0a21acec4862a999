"""Print README's table of the torchvision zoo through `import torch`, from docs/zoo.json.

    python tools/zoo_table.py [--readme]   (--readme: write it into README.md between its markers)

docs/zoo.json comes from tools/probe_torch_zoo.py (it needs torch and torchvision; this does
not). tests/test_docs.py checks that README.md holds this table as printed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "docs" / "zoo.json"
TIMM = ROOT / "docs" / "zoo_timm.json"
KERAS = ROOT / "docs" / "zoo_keras.json"
"""Every keras.applications model by both of Keras' routes (tools/probe_keras_zoo.py)."""
"""A sample of timm's families through `import torch` (tools/probe_torch_zoo.py --timm NAME ..., ZOO_OUT set)."""
README = ROOT / "README.md"
MARKERS = ("<!-- zoo -->\n", "<!-- /zoo -->")


def zoo() -> dict[str, Any]:
    """Return docs/zoo.json."""
    return dict(json.loads(ZOO.read_text()))


def _short(reason: str) -> str:
    """Return a refusal's first line without its prefix (and file), cut after its first sentence."""
    first = reason.split("; import torch:", 1)[0].removeprefix("import torch: ")
    first = re.split(r"; \S*\.onnx: ", re.sub(r"^\S+\.onnx: ", "", first))[0]
    first = re.sub(r" at \S+\.py:\d+ \(.*?\)(?=: )", "", first)  # the place in the framework's own code
    sentence = first.split(". ")[0]
    return sentence.replace("|", "/")


FOLDED = (
    "the exporter folds a tensor computed from parameters alone into one constant of its computed size, "
    "which the file holds as weights: each relative-position bias gathered from its table by a constant "
    "index (window² × window² × heads; MViT V2's per axis), Swin V2's first position-MLP product (its FLOPs "
    "gone with it), EVA-02's query, key and value biases joined"
)
ZERO_BIASES = (
    "the exporter fuses each BatchNorm into the convolution before it and drops the fused bias when it is "
    "zero, as an untrained VGG's is: the file cannot say the convolutions had biases (a trained model's "
    "are kept and counted)"
)
MERGED = (
    "the exporter computes equal expressions once: two BatchNorms of one input whose untrained weights are "
    "equal (DPN's two projections) are one node in the file, holding one's weights"
)
KNOWN = {
    **dict.fromkeys(("maxvit_t", "mvit_v1_b", "swin_t", "swin_s", "swin_b", "swin3d_t", "swin3d_s", "swin3d_b"), 1),
    **dict.fromkeys(("swin_v2_t", "swin_v2_s", "swin_v2_b", "mvit_v2_s"), 1),
    **dict.fromkeys(("vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn"), 2),
    **dict.fromkeys(("coatnet_0_rw_224", "efficientformer_l1", "levit_128s", "swin_tiny_patch4_window7_224"), 1),
    "eva02_tiny_patch14_224": 1,
    "inception_next_tiny": 2,
    "dpn68": 3,
}
"""The models whose ONNX files themselves differ from torch's model, by footnote."""
FOOTNOTES = {1: FOLDED, 2: ZERO_BIASES, 3: MERGED}


def _cell(route: dict[str, Any], truth: dict[str, Any]) -> str:
    """Return one route's outcome in a cell: ok, the reason it is refused, or its numbers against torch's."""
    if route["status"] == "ok":
        return "ok"
    if route["status"] == "differs":
        return (
            f"differs: parameters {route['convcalc_params']:,} (torch {truth['params']:,}), "
            f"FLOPs {route['convcalc_flops']:,} (torch {truth['flops']:,})"
        )
    return f"{route['status']}: {_short(route['reason'])}"


ROUTES = {
    "onnx": "ONNX file (dynamo)",
    "torchscript": "ONNX file (TorchScript, opset 17, axes open)",
    "dynamic": "ONNX file (dynamo, axes open)",
    "unoptimized": "ONNX file (dynamo, optimize=False)",
}
"""The routes of tools/probe_torch_zoo.py, each a column of the table where the zoo has its outcomes."""


def table(found: dict[str, Any]) -> str:
    """Return the summary lines and the table of models not read right by a route, with the reasons."""
    models = found["models"]
    ok = sorted(name for name, outcome in models.items() if outcome["status"] == "ok")
    routes = [route for route in ROUTES if any(route in outcome for outcome in models.values())]
    unused = sorted(name for name in ok if models[name].get("unused_params"))
    summary = (
        f"Of torchvision {found['torchvision']}'s {len(models)} models (torch {found['torch']}), "
        f"{len(ok)} import with torch's parameters and FlopCounterMode's FLOPs exactly through `import torch` "
        f"(the parameters of the modules forward runs: {', '.join(unused)} keep auxiliary classifiers they do "
        "not run in eval mode; the detectors read in parts, at the boxes torch's run pooled). "
        + " ".join(_route_sentence(route, models) for route in routes)
        + " The others:"
    )
    lines = [summary, "", "| model | `import torch` | " + " | ".join(ROUTES[r] for r in routes) + " |"]
    lines.append("| --- " * (2 + len(routes)) + "|")
    for name in sorted(models):
        outcome = models[name]
        cells = [_route_cell(name, outcome, route) for route in routes]
        if outcome["status"] == "ok" and all(cell in ("ok", "-") for cell in cells):
            continue
        lines.append(f"| {name} | {_cell(outcome, outcome)} | " + " | ".join(cells) + " |")
    if TIMM.exists():
        lines += ["", *_timm_lines(json.loads(TIMM.read_text()))]
    lines.append("")
    lines += [f"{number}. {text[0].upper()}{text[1:]}." for number, text in FOOTNOTES.items()]
    if KERAS.exists():
        lines += ["", *_keras_lines(json.loads(KERAS.read_text()))]
    return "\n".join(lines) + "\n"


def _route_sentence(route: str, models: dict[str, Any]) -> str:
    """Return how many of the exported models a route reads exactly."""
    exported = {name: outcome[route] for name, outcome in models.items() if route in outcome}
    right = sum(outcome["status"] == "ok" for outcome in exported.values())
    what = {
        "onnx": "Exported by torch's default ONNX exporter (dynamo, graph only)",
        "torchscript": (
            "By the older TorchScript exporter at opset 17 with the batch and spatial axes open (read at the "
            "probe's input; it folds each BatchNorm into the convolution before it, so the truth is torch's "
            "parameters or the file's own weights, and torch's FLOPs)"
        ),
        "dynamic": "By the default exporter with the batch and spatial axes open",
        "unoptimized": "By the default exporter with `optimize=False`",
    }[route]
    everyone = sum("onnx" in outcome for outcome in models.values())  # the models every route is tried on
    if len(exported) < everyone:
        return f"{what}, {right} of a sample of {len(exported)} models across the families read exactly."
    return f"{what}, {right} of the {len(exported)} classification, segmentation and video models read exactly."


def _route_cell(name: str, outcome: dict[str, Any], route: str) -> str:
    """Return one ONNX route's cell: ok, its reason, or its numbers (and the footnote saying why the file differs)."""
    found = outcome.get(route)
    if found is None:
        return "-"
    truth = outcome | ({"params": found["file_params"]} if "file_params" in found else {})
    cell = _cell(found, truth)
    if name in KNOWN and route in ("onnx", "dynamic", "unoptimized") and found["status"] == "differs":  # the exporter's
        cell += f" (see {KNOWN[name]})"
    return cell


def _keras_lines(found: dict[str, Any]) -> list[str]:
    """Return the sentence on keras.applications by both of Keras' routes, and a table of what is not read."""
    models = found["models"]
    routes = {"keras": "`.keras` (config only)", "to_json": "`to_json()`", "any_size": "without the top, at two sizes"}
    right = {route: sum(outcome[route]["status"] == "ok" for outcome in models.values()) for route in routes}
    said = "; ".join(f"{routes[route]}: {count}" for route, count in right.items())
    sentence = (
        f"Of the {len(models)} `keras.applications` models of Keras {found['keras']} (weights=None, "
        "`tools/probe_keras_zoo.py`), read with Keras' trainable and non-trainable weights and its shape at "
        f"every layer: {said}."
    )
    others = [name for name, outcome in sorted(models.items()) if any(outcome[r]["status"] != "ok" for r in routes)]
    if not others:
        return [sentence]
    lines = [sentence, "", "| model | " + " | ".join(routes.values()) + " |", "| --- " * (1 + len(routes)) + "|"]
    for name in others:
        cells = [_keras_cell(models[name][route]) for route in routes]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _keras_cell(outcome: dict[str, Any]) -> str:
    if outcome["status"] == "ok":
        return "ok"
    if outcome["status"] == "differs":
        wrong = ", ".join(outcome.get("wrong_layers", [])) or "the weights"
        return f"differs: {wrong}"
    return f"{outcome['status']}: {_short(outcome['reason'])}"


def _timm_lines(found: dict[str, Any]) -> list[str]:
    """Return the sentences on the sample of timm's families by every route, and a table of what is not exact."""
    models = found["models"]
    right = sum(outcome["status"] == "ok" for outcome in models.values())
    routes = [route for route in ROUTES if any(route in outcome for outcome in models.values())]
    sentences = [
        (
            f"Of {len(models)} timm {found['timm']} models sampled across its families, {right} import through "
            "`import torch` with torch's parameters and FLOPs exactly."
        )
    ]
    for route in routes:
        tried = {name: outcome[route] for name, outcome in models.items() if route in outcome}
        exported = {name: outcome for name, outcome in tried.items() if outcome["status"] != "not exported"}
        exact = sum(outcome["status"] == "ok" for outcome in exported.values())
        sentences.append(
            f"{ROUTES[route]}: {exact} of the {len(exported)} exported read exactly"
            + (f" ({len(tried) - len(exported)} the exporter fails on)." if len(exported) < len(tried) else ".")
        )
    lines = [" ".join(sentences)]
    rows = []
    for name in sorted(models):
        outcome = models[name]
        cells = [_route_cell(name, outcome, route) for route in routes]
        if outcome["status"] != "ok" or any(cell not in ("ok", "-") for cell in cells):
            rows.append(f"| {name} | {_cell(outcome, outcome)} | " + " | ".join(cells) + " |")
    if rows:
        lines += ["", "| timm model | `import torch` | " + " | ".join(ROUTES[r] for r in routes) + " |"]
        lines += ["| --- " * (2 + len(routes)) + "|", *rows]
    return lines


def shown(text: str) -> str:
    """Return the table README.md holds between its markers."""
    return text.split(MARKERS[0], 1)[1].split(MARKERS[1], 1)[0]


def main(argv: list[str]) -> None:
    """Print the table, or write it into README.md."""
    printed = table(zoo())
    if argv == ["--readme"]:
        text = README.read_text()
        README.write_text(text.replace(MARKERS[0] + shown(text), MARKERS[0] + printed, 1))
    else:
        print(printed, end="")


if __name__ == "__main__":
    main(sys.argv[1:])
