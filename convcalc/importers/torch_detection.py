"""torchvision's detection models (R-CNNs, RetinaNet, FCOS, SSD) read in the parts torch.fx can trace.

A detector's forward resizes its images, decodes boxes and suppresses overlaps: steps whose
sizes and counts the image decides, which no trace follows. Its layers are read apart:

- the image as the model's transform leaves it (resized to `min_size`, or SSD's fixed size,
  and padded to a multiple of 32): the network's input;
- the backbone and its feature pyramid, and the dense heads run on every level of it (their
  modules called once a level, the later calls `shares` of the first), traced together;
- the R-CNNs' box, mask and keypoint heads, after a `roi_align` of the levels for each box:
  up to the region proposal network's `post_nms_top_n` proposals, and up to
  `detections_per_img` detections for masks and keypoints (the most there can be; an image
  has as many as its suppression keeps).

What is left out (anchors, box decoding, non-maximum suppression, the masks pasted into the
image) computes no layer and is said in one line. Names are the model's module paths.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

Vocabulary = TypeVar("Vocabulary")
"""What the reader needs to know of network files' types (torch_fx's Vocabulary), passed through."""
Reader = Callable[[Any, tuple[int, ...], Vocabulary], tuple[dict[str, Any], list[str], list[str], list[str]]]

DETECTORS = ("GeneralizedRCNN", "RetinaNet", "FCOS", "SSD")
"""torchvision's detector classes (and every class built on them: Faster, Mask and Keypoint R-CNN)."""
LEFT_OUT = (
    "anchors, box decoding and non-maximum suppression (sizes and counts the image decides) are not layers: "
    "the boxes, scores and labels come from the heads' outputs"
)


def is_detector(model: Any) -> bool:  # noqa: ANN401 - a torch.nn.Module
    """Return whether a model is one of torchvision's detectors."""
    return any(
        base.__name__ in DETECTORS and base.__module__.startswith("torchvision.models.detection")
        for base in type(model).__mro__
    )


def detector_data(
    model: Any,  # noqa: ANN401 - a torch.nn.Module
    shape: tuple[int, ...],
    vocabulary: Vocabulary,
    read: Reader[Vocabulary],
    torch: Any,  # noqa: ANN401 - the torch module, loaded by the caller
) -> tuple[dict[str, Any], list[str], list[str]]:
    """Return a detector's network data, the layers with frozen sizes, and the notes to say.

    `read` traces a module at an input and returns its data, frozen layers, the layer names
    of its outputs and its notes (torch_fx's reader).
    """
    model.eval()
    image = _transformed(model, shape, torch)
    notes = []
    if image != shape:
        notes.append(
            f"{type(model.transform).__name__} resizes {list(shape)} to {list(image)}: the network starts there"
        )
    dense = _dense(model, image, torch)
    data, frozen, outputs, said = read(dense, image, vocabulary)
    notes += said
    levels = dict(zip(dense.level_names, outputs, strict=False))
    layers = list(data["layers"])
    roi_heads = getattr(model, "roi_heads", None)
    if roi_heads is not None:
        proposals = int(model.rpn.post_nms_top_n()) * image[0]
        detections = int(roi_heads.detections_per_img) * image[0]
        branches = [("box", proposals), ("mask", detections), ("keypoint", detections)]
        for branch, boxes in branches:
            if getattr(roi_heads, f"{branch}_roi_pool", None) is None:
                continue
            pooled = (boxes, int(model.backbone.out_channels))  # boxes of the pyramid's channels
            layers += _branch(roi_heads, branch, pooled, levels, vocabulary, read, torch)
        notes.append(
            f"roi_heads: boxes pooled for up to {proposals} proposals (rpn.post_nms_top_n), "
            f"masks and keypoints for up to {detections} detections (detections_per_img): the image decides how many"
        )
    notes.append(LEFT_OUT)
    return (
        {"input": list(image), "layers": layers, "description": " ".join(f"{note}." for note in notes)},
        frozen,
        notes,
    )


def _transformed(model: Any, shape: tuple[int, ...], torch: Any) -> tuple[int, ...]:  # noqa: ANN401 - torch's
    """Return the batch's shape as the model's transform leaves it (resized, padded to its size_divisible)."""
    with torch.no_grad():
        images, _ = model.transform([torch.zeros(shape[1:]) for _ in range(shape[0])])
    return tuple(int(size) for size in images.tensors.shape)


def _dense(model: Any, image: tuple[int, ...], torch: Any) -> Any:  # noqa: ANN401 - torch's module
    """Return a module running the backbone and the dense heads on every level, named as the model's."""
    nn = torch.nn
    kind = next(base.__name__ for base in type(model).__mro__ if base.__name__ in DETECTORS)
    batch = image[0]

    class Dense(nn.Module):  # type: ignore[misc, name-defined]  # torch is untyped here: nn.Module is Any
        """The backbone, then the heads on each level; returns the levels first (their names kept when traced)."""

        level_names: list[str] = []  # noqa: RUF012 - set by the trace, on the instance

        def __init__(self) -> None:
            super().__init__()
            self.backbone = model.backbone
            if kind == "GeneralizedRCNN":
                self.rpn = model.rpn
            else:
                self.head = model.head

        def forward(self, images: Any) -> Any:  # noqa: ANN401 - a tensor
            found = self.backbone(images)  # an OrderedDict of the levels, even while traced
            self.level_names = list(found.keys())
            levels = list(found.values())
            if kind == "GeneralizedRCNN":
                objectness, deltas = self.rpn.head(levels)
                return (*levels, *objectness, *deltas)
            return (*levels, *_dense_heads(self.head, kind, levels, batch, torch))

    return Dense().eval()


def _laid_out(maps: list[Any], columns: int, batch: int, torch: Any) -> Any:  # noqa: ANN401 - tensors
    """Lay each level's (N, A*K, H, W) out as (N, H*W*A, K) and join the levels, as torchvision's heads do."""
    return torch.cat([level.permute(0, 2, 3, 1).reshape(batch, -1, columns) for level in maps], dim=1)


def _dense_heads(head: Any, kind: str, levels: list[Any], batch: int, torch: Any) -> list[Any]:  # noqa: ANN401 - torch's
    """Run a one-stage detector's heads on every level: their outputs as torchvision lays them out."""
    classes, regression = head.classification_head, head.regression_head
    if kind == "SSD":
        scores = [module(level) for module, level in zip(classes.module_list, levels, strict=True)]
        boxes = [module(level) for module, level in zip(regression.module_list, levels, strict=True)]
        return [_laid_out(boxes, 4, batch, torch), _laid_out(scores, classes.num_columns, batch, torch)]
    scores = [classes.cls_logits(classes.conv(level)) for level in levels]
    if kind == "FCOS":
        features = [regression.conv(level) for level in levels]
        boxes = [torch.nn.functional.relu(regression.bbox_reg(feature)) for feature in features]
        centres = [regression.bbox_ctrness(feature) for feature in features]
        return [
            _laid_out(scores, classes.num_classes, batch, torch),
            _laid_out(boxes, 4, batch, torch),
            _laid_out(centres, 1, batch, torch),
        ]
    boxes = [regression.bbox_reg(regression.conv(level)) for level in levels]
    return [_laid_out(scores, classes.num_classes, batch, torch), _laid_out(boxes, 4, batch, torch)]


def _branch(
    roi_heads: Any,  # noqa: ANN401 - torchvision's RoIHeads
    branch: str,
    pooled_shape: tuple[int, int],
    levels: dict[str, str],
    vocabulary: Vocabulary,
    read: Reader[Vocabulary],
    torch: Any,  # noqa: ANN401 - the torch module
) -> list[dict[str, Any]]:
    """Return one R-CNN branch: the roi_align of the levels it pools (boxes, channels), then its head and predictor."""
    boxes, channels = pooled_shape
    pool = getattr(roi_heads, f"{branch}_roi_pool")
    size = [int(v) for v in pool.output_size]
    pooled = f"roi_heads.{branch}_roi_pool"
    sources = [levels[name] for name in pool.featmap_names if name in levels]  # those the backbone gives
    layers: list[dict[str, Any]] = [
        {"name": pooled, "type": "MultiScaleRoIAlign", "from": sources, "boxes": boxes, "output_size": size}
    ]
    head, predictor = getattr(roi_heads, f"{branch}_head"), getattr(roi_heads, f"{branch}_predictor")

    class Branch(torch.nn.Module):  # type: ignore[misc]  # torch is untyped here: nn.Module is Any
        """The branch's head and predictor, named as in roi_heads."""

        def __init__(self) -> None:
            super().__init__()
            setattr(self, f"{branch}_head", head)
            setattr(self, f"{branch}_predictor", predictor)

        def forward(self, x: Any) -> Any:  # noqa: ANN401 - a tensor
            found = getattr(self, f"{branch}_head")(x)
            if branch == "box":  # FastRCNNPredictor: flattened, then scores and box deltas (its shape check untraced)
                flat = found.flatten(start_dim=1)
                return predictor.cls_score(flat), predictor.bbox_pred(flat)
            return getattr(self, f"{branch}_predictor")(found)

    data, _, _, _ = read(Branch().eval(), (boxes, channels, *size), vocabulary)
    return layers + _attached(data["layers"], "roi_heads.", pooled)


def _attached(layers: list[dict[str, Any]], prefix: str, source: str) -> list[dict[str, Any]]:
    """Return a part's layers named under `prefix`, its input read from `source` (the layer before it)."""
    attached = []
    for position, layer in enumerate(layers):
        moved = {**layer, "name": prefix + layer["name"]}
        if "from" in layer:
            refs = layer["from"] if isinstance(layer["from"], list) else [layer["from"]]
            named = [source if ref == "input" else prefix + ref for ref in refs]
            moved["from"] = named if isinstance(layer["from"], list) else named[0]
        elif position == 0:
            moved["from"] = source
        if "to" in layer:
            moved["to"] = source if layer["to"] == "input" else prefix + layer["to"]
        if "shares" in layer:
            moved["shares"] = prefix + layer["shares"]
        attached.append(moved)
    return attached
