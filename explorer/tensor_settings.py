"""The Tensors page's settings table (prefix `tn_`): the share link, the teacher's hide list and the
presentation flag read it (explorer.settings)."""

from __future__ import annotations

from .limits import MAX_SEED
from .settings import Setting, Settings
from .tensors import FIGURES, OPS, PRESETS, READ_AS, SECOND_MATRIX, SECOND_OFFSET, TRANSFORMS, TensorPreset

VIEWS = ("Shapes & slices", "Broadcasting", "Dot product", "Geometry")
DEFAULT = PRESETS[2]             # MIT's column, matrix[:, 2]: a slice highlighted at first sight

SETTINGS = Settings("tensors", "tn_", (
    Setting("program", "program", DEFAULT.program, "Program (binds the tensors)"),
    Setting("view", "choice", DEFAULT.view, "View", VIEWS),
    Setting("expression", "text", DEFAULT.expression, "Tensor or slice"),
    Setting("read_as", "choice", "auto", "Read the axes as", READ_AS),
    Setting("left", "text", "x", "x"),
    Setting("right", "text", "y", "y"),
    Setting("op", "choice", "add", "Element-wise op", tuple(OPS)),
    Setting("row", "int", 0, "Row of x", low=0, high=10_000),
    Setting("col", "int", 0, "Column of y", low=0, high=10_000),
    Setting("transform", "choice", "rotation", "Transform", TRANSFORMS),
    Setting("angle", "float", 30.0, "Angle θ (degrees)", low=-180.0, high=180.0),
    Setting("sx", "float", 1.5, "Scale x", low=-5.0, high=5.0),
    Setting("sy", "float", 0.5, "Scale y", low=-5.0, high=5.0),
    Setting("shear", "float", 0.8, "Shear", low=-5.0, high=5.0),
    Setting("tx", "float", 1.0, "Translate x", low=-4.0, high=4.0),
    Setting("ty", "float", 0.5, "Translate y", low=-4.0, high=4.0),
    Setting("matrix", "text", "1, 0.5; -0.5, 1", "Matrix A (a, b; c, d)"),
    Setting("second", "bool", False, "Then a second affine map A₂x + t₂"),
    Setting("second_matrix", "text", SECOND_MATRIX, "A₂ (a, b; c, d)"),
    Setting("second_offset", "text", SECOND_OFFSET, "t₂ (u, v)"),
    Setting("relu", "bool", False, "Then relu"),
    Setting("figure", "choice", FIGURES[0], "Figure", FIGURES),
    Setting("seed", "int", 0, "Random seed", low=0, high=MAX_SEED),
), controls=("example",))


def preset_values(p: TensorPreset) -> dict:
    """The settings a preset sets; the others keep what the user chose."""
    if p.view == "Geometry":
        values = {"view": p.view, "transform": p.transform, "angle": p.angle, "second": p.second, "relu": p.fold,
                  "figure": p.figure}
        if p.second:
            values |= {"second_matrix": p.second_matrix, "second_offset": p.second_offset}
        return values
    values = {"program": p.program, "view": p.view, "read_as": p.read_as, "left": p.left, "right": p.right}
    if p.view == "Broadcasting":
        values["op"] = p.op
    if p.expression:
        values["expression"] = p.expression
    return values


def matching_preset(values: dict) -> str | None:
    """The title of the preset the page shows now, if any (the example list names it)."""
    for p in PRESETS:
        wanted = preset_values(p)
        if p.view == "Shapes & slices":
            wanted.pop("read_as")
            if values.get("expression") in p.picks:       # the preset's other tensors, picked on the page
                wanted["expression"] = values["expression"]
        if p.view in ("Broadcasting", "Dot product"):
            wanted.pop("read_as")
            wanted.pop("expression", None)
        if all(values.get(k) == v for k, v in wanted.items()):
            return p.title
    return None


SHORT = {"Shapes & slices": "Slices", "Broadcasting": "Broadcast", "Dot product": "Dot", "Geometry": "Geometry"}
# the sliders each transform has (the others have none: a typed matrix, a trained or the playground's layer)
GEOMETRY_PARAMS = {"rotation": ("angle",), "scaling": ("sx", "sy"), "shear": ("shear",), "translation": ("tx", "ty")}
