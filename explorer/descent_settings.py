"""The Gradient descent page's settings as data: one table that the share link, the teacher's hide list
and the page's controls all read (explorer.settings). Also what a surface brings with it (its start,
steps and learning rates) and the optimizer configurations the race runs, so the page computes nothing.
"""

from __future__ import annotations

from typing import Any, Mapping

from .descent import OPTIMIZERS, SURFACES, Surface
from .settings import Setting, Settings

CUSTOM = "custom"
CUSTOM_FORMULA = "x**2 + 3*y**2 + tf.sin(3*x)"
CUSTOM_START = (-2.0, 2.0)
CUSTOM_STEPS = 200
DEFAULT_SURFACE = "rosenbrock"
TABS = {"race": "Optimizers race", "sweep": "Learning-rate sweep", "1d": "One dimension",
        "classifier": "Linear classifier (Chollet 3.5.3)"}
VIEWS = {"contour": "Contour", "3d": "3-D", "losses": "Loss"}
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
STEEP_RATES, GENTLE_RATES = [0.0001, 0.001, 0.003, 0.01], [0.001, 0.01, 0.1, 1.0]
ONE_D = {"mit": ("(x - 4)**2", 4.0, "(x - 4)**2  (MIT lab: x_f = 4)"),
         "two_minima": ("x**4 - 3*x**2 + x", None, "x**4 - 3*x**2 + x  (two minima)"),
         "custom": (None, None, "Your own L(x)")}
CLASSIFIER_LOSSES = {"square": "square: mean((y − o)²)", "logistic": "logistic: mean(log(1 + eᵒ) − y·o)"}
RACE_HELP = ("**What am I looking at?** Each optimizer is a rule for the next step from the gradient. Here they "
             "are Keras's own classes (`tf.keras.optimizers.SGD`, `Adam`, …), stepping on a loss surface from the "
             "same start. The dotted arrow is the direction of steepest descent (−gradient); the black arrow, for "
             "momentum methods, is the velocity the optimizer carries from step to step. Press ▶ Play under the "
             "picture or drag the step slider; click the surface to start from there; click a name in the legend "
             "to hide or show its path.")
# each optimizer's hyperparameters a student may change: (setting name, Keras argument, label, low, high)
HYPER = {name: [(f"{arg.replace('initial_accumulator_value', 'accumulator')}_{name}", arg, label, 0.0, high)
                for arg, label, high in (("momentum", "momentum", 0.999), ("rho", "rho", 0.999),
                                         ("beta_1", "beta_1", 0.999), ("beta_2", "beta_2", 0.9999),
                                         ("initial_accumulator_value", "initial accumulator", 10.0))
                if arg in spec.defaults]
         for name, spec in OPTIMIZERS.items()}


def surface_title(key: str) -> str:
    return "Your own f(x, y)" if key == CUSTOM else SURFACES[key].title


def learning_rate(key: str, optimizer: str) -> float:
    return OPTIMIZERS[optimizer].learning_rate if key == CUSTOM else SURFACES[key].learning_rate(optimizer)


def surface_defaults(key: str) -> dict[str, Any]:
    """What choosing a surface sets: its start, its step budget, each optimizer's learning rate for it and
    the sweep's rates (small ones on steep surfaces)."""
    s: Surface | None = None if key == CUSTOM else SURFACES[key]
    start = CUSTOM_START if s is None else s.start
    steep = s is not None and s.log_color
    return {"x0": float(start[0]), "y0": float(start[1]), "steps": CUSTOM_STEPS if s is None else s.steps,
            **{f"lr_{name}": float(learning_rate(key, name)) for name in OPTIMIZERS},
            "rates": list(STEEP_RATES if steep else GENTLE_RATES)}


def _table() -> tuple[Setting, ...]:
    first = surface_defaults(DEFAULT_SURFACE)
    table = [
        Setting("tab", "choice", "race", "Tab", tuple(TABS)),
        Setting("surface", "choice", DEFAULT_SURFACE, "Surface", (*SURFACES, CUSTOM)),
        Setting("formula", "program", CUSTOM_FORMULA, "f(x, y) = (your own surface)"),
        Setting("x0", "float", first["x0"], "start x", low=-1e3, high=1e3),
        Setting("y0", "float", first["y0"], "start y", low=-1e3, high=1e3),
        Setting("seed", "int", 0, "seed for a random start", low=0, high=2**31 - 1),
        Setting("steps", "int", first["steps"], "steps", low=1, high=5000),
        Setting("optimizers", "list", list(OPTIMIZERS), "Optimizers", tuple(OPTIMIZERS)),
    ]
    for name, spec in OPTIMIZERS.items():
        table.append(Setting(f"lr_{name}", "float", first[f"lr_{name}"], f"{spec.title}: learning rate",
                             low=1e-6, high=10.0))
        table += [Setting(key, "float", float(spec.defaults[arg]), f"{spec.title}: {label}", low=low, high=high)
                  for key, arg, label, low, high in HYPER[name]]
    table += [
        Setting("arrows", "bool", True, "Gradient arrows"),
        Setting("view", "choice", "contour", "Picture: contour, 3-D or loss curves", tuple(VIEWS)),
        Setting("sweep_optimizer", "choice", "sgd", "Sweep: optimizer", tuple(OPTIMIZERS)),
        Setting("rates", "list", first["rates"], "Sweep: learning rates", LEARNING_RATES),
        Setting("fn_1d", "choice", "mit", "L(x)", tuple(ONE_D)),
        Setting("formula_1d", "program", "tf.abs(x - 1.5) + 0.1 * x**2", "L(x) = (your own)"),
        Setting("lr_1d", "float", 0.01, "1-D: learning rate", low=1e-5, high=2.0),
        Setting("steps_1d", "int", 500, "1-D: steps", low=1, high=5000),
        Setting("seed_1d", "int", 0, "1-D: seed (x starts from a standard normal draw)", low=0, high=2**31 - 1),
        Setting("clf_loss", "choice", "square", "Classifier: loss", tuple(CLASSIFIER_LOSSES)),
        Setting("clf_lr", "float", 0.1, "Classifier: learning rate", low=1e-4, high=5.0),
        Setting("clf_steps", "int", 40, "Classifier: steps (full batch)", low=1, high=500),
        Setting("clf_seed", "int", 0, "Classifier: seed", low=0, high=2**31 - 1),
    ]
    return tuple(table)


SETTINGS = Settings(page="descent", prefix="gd_", table=_table())


def optimizer_configs(values: Mapping[str, Any]) -> tuple:
    """The race as the page's settings describe it: ((optimizer, ((argument, value), ...)), ...) for each
    chosen optimizer, in the table's order, hashable for caching."""
    out = []
    for name in OPTIMIZERS:
        if name in values["optimizers"]:
            params = {"learning_rate": float(values[f"lr_{name}"])}
            params.update({arg: float(values[key]) for key, arg, *_ in HYPER[name]})
            out.append((name, tuple(sorted(params.items()))))
    return tuple(out)


def sweep_params(values: Mapping[str, Any]) -> dict[str, float]:
    """The swept optimizer's other hyperparameters, as the race's controls set them."""
    return {arg: float(values[key]) for key, arg, *_ in HYPER[values["sweep_optimizer"]]}
