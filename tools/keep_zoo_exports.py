"""Keep a few of the zoo's ONNX exports as test fixtures: tests/fixtures/onnx_zoo/.

Run after tools/probe_torch_zoo.py --onnx, in its environment (onnx installed):

    python tools/keep_zoo_exports.py [ROUTE/]MODEL ...   (ROUTE: torchscript, dynamic or unoptimized)

Each model's export (graph only, from ZOO_ONNX, /tmp/zoo_onnx unless said) is copied without
what convcalc does not read: node metadata other than the three keys the ONNX importer reads
(the rewrites that made a node, its module path, the torch call it came from), doc strings and
value infos. torch's truth for it (its parameters, the parameters forward does not use,
FlopCounterMode's FLOPs, the input) comes from docs/zoo.json and goes to
tests/fixtures/onnx_zoo/truth.json, which tests/importers/test_onnx_zoo.py reads without torch.
An export by another route (ROUTE/MODEL: from ZOO_ONNX/ROUTE) goes to tests/fixtures/onnx_zoo/ROUTE/,
its truth torch's parameters or, where the exporter folded BatchNorms (TorchScript), the file's own.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import onnx

ROOT = Path(__file__).resolve().parent.parent
ZOO = Path(os.environ.get("ZOO_OUT", ROOT / "docs" / "zoo.json"))
EXPORTS = Path(os.environ.get("ZOO_ONNX", Path(tempfile.gettempdir()) / "zoo_onnx"))
OUT = ROOT / "tests" / "fixtures" / "onnx_zoo"
READ = {"pkg.onnxscript.rewriter.rule_name", "pkg.torch.onnx.name_scopes", "pkg.torch.onnx.fx_node"}
"""The metadata keys convcalc's ONNX importer reads (convcalc/importers/onnx_graph.py)."""
KIND = "pkg.torch.export.graph_signature.InputSpec.kind"
"""The value_info metadata saying an initializer is a parameter or a buffer (onnx_proto.buffers reads it)."""


def strip(model: onnx.ModelProto) -> None:
    """Drop what convcalc does not read: other metadata, doc strings, value infos."""
    graph = model.graph
    for node in graph.node:
        for attribute in node.attribute:  # a Constant's floats (a mask): its shape is read, not its values
            if attribute.t.data_type == onnx.TensorProto.FLOAT and len(attribute.t.raw_data) > 1024:
                attribute.t.ClearField("raw_data")
        kept = [entry for entry in node.metadata_props if entry.key in READ]
        del node.metadata_props[:]
        node.metadata_props.extend(kept)
        node.doc_string = ""
    said = [info for info in graph.value_info if any(entry.key == KIND for entry in info.metadata_props)]
    del graph.value_info[:]
    for info in said:  # a buffer said to be one (the default exporter's): its kind kept, the rest dropped
        kept = [entry for entry in info.metadata_props if entry.key == KIND]
        del info.metadata_props[:]
        info.metadata_props.extend(kept)
        info.doc_string = ""
    graph.value_info.extend(said)
    del model.metadata_props[:]
    model.doc_string = graph.doc_string = ""


def main(names: list[str]) -> None:
    """Copy each model's export, stripped, and record its truth."""
    zoo = json.loads(ZOO.read_text())["models"]
    OUT.mkdir(parents=True, exist_ok=True)
    truth_path = OUT / "truth.json"
    truth = json.loads(truth_path.read_text()) if truth_path.exists() else {}
    for kept in names:
        route, _, name = kept.rpartition("/")
        model = onnx.load(str(EXPORTS / f"{kept}.onnx"), load_external_data=False)
        strip(model)
        (OUT / kept).parent.mkdir(parents=True, exist_ok=True)
        onnx.save(model, str(OUT / f"{kept}.onnx"))
        outcome = zoo[name]
        keys = ("input", "params", "unused_params", "flops")
        truth[kept] = {key: outcome[key] for key in keys if key in outcome}
        if route:  # read at the probe's input; the TorchScript exporter's file holds its own weights (BatchNorm folded)
            truth[kept] |= {"open_axes": route in ("torchscript", "dynamic")}
            if outcome[route].get("file_params", truth[kept]["params"]) != truth[kept]["params"]:
                truth[kept]["file_params"] = outcome[route]["file_params"]  # either is right: the file's or torch's
        print(kept, (OUT / f"{kept}.onnx").stat().st_size, "bytes")
    truth_path.write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
