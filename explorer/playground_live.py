"""The playground's live picture: frames trained ahead on the server, played by the browser.

The browser asks for frames as it plays them (Streamlit cannot push), and says which frame is on screen
with every request: Pause rewinds the Trainer to exactly that frame. `Live` is the server's half of that
conversation for one page session, with no Streamlit in it: `handle(event)` takes what the browser sent,
`message()` is what to send back (the component's data). Frames travel as small arrays in base64: the
output over the plane and each neuron's thumbnail as bytes, weights and gradients as float32.
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field

import numpy as np

from .palette import CLASS_COLORS, MAIN_LINE, MARK, NEGATIVE, NEUTRAL, PAPER, POSITIVE
from .errors import ProgramError
from .playground import (DOMAIN, FEATURES, GRID_N, THUMB_N, Dataset, Frame, Trainer, data_from, features,
                         plane_grid, spec_from, split)

FPS = 24                    # frames shown per second while playing
AHEAD = 12                  # frames the browser wants buffered before it asks again (0.5 s)
MOST_PER_MESSAGE = 60       # frames trained for one request at most (2.5 s)
HISTORY_POINTS = 300        # loss-curve points sent with every message (an even spread)
_tokens = itertools.count(1)
# which settings start the network again (new data, new network) and which are tuned into the running one
NEW_DATA = ("data", "noise", "seed", "ratio", "classes", "curve", "csv")
NEW_NETWORK = ("features", "layers", "opt")
RESTART = NEW_DATA + NEW_NETWORK
TUNED = ("lr", "batch", "reg", "rate", "activation")


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def _signed_bytes(a: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Values as bytes around 128, each picture scaled by its own largest |value| (returned)."""
    lim = np.max(np.abs(a), axis=axes, keepdims=True)
    lim = np.where(np.isfinite(lim) & (lim > 0), lim, 1.0)
    q = np.round(np.clip(np.nan_to_num(a / lim), -1, 1) * 127 + 128)
    return q.astype(np.uint8), lim.reshape(-1)


def output_bytes(trainer: Trainer, output: np.ndarray) -> tuple[np.ndarray, float]:
    """The output over the plane as bytes: P(class 1) × 255, the winning class, or the value around 128
    scaled by the returned limit."""
    if trainer.kind == "classification" and trainer.outputs == 1:
        return np.round(np.clip(np.nan_to_num(output, nan=0.5), 0, 1) * 255).astype(np.uint8), 1.0
    if trainer.kind == "classification":
        return np.nan_to_num(output).astype(np.uint8), 1.0
    q, lim = _signed_bytes(output[None], (1, 2))
    return q[0], float(lim[0])


def encode_frames(trainer: Trainer, frames: list[Frame], gradients: bool) -> dict:
    """Frames as the browser component reads them (see components/playground.js)."""
    if not frames:
        return {"n": 0}
    outs, lims = zip(*(output_bytes(trainer, f.output) for f in frames))
    neurons = np.stack([np.concatenate(f.neurons) for f in frames])             # (frames, units, T, T)
    thumbs, _ = _signed_bytes(neurons, (2, 3))
    kernels = lambda ws: np.concatenate([w.ravel() for w in ws[0::2]])         # noqa: E731 - edges only
    encoded = {"n": len(frames), "step": [f.step for f in frames], "epoch": [round(f.epoch, 3) for f in frames],
               "loss": [[_round(f.train_loss), _round(f.test_loss), _round(f.train_accuracy), _round(f.test_accuracy)]
                        for f in frames],
               "out": _b64(np.stack(outs)), "lim": [round(v, 6) for v in lims], "thumbs": _b64(thumbs),
               "w": _b64(np.stack([kernels(f.weights) for f in frames]).astype(np.float32))}
    if gradients:
        encoded["g"] = _b64(np.stack([kernels(f.gradients) for f in frames]).astype(np.float32))
    return encoded


def _round(v: float) -> float | None:
    return None if not np.isfinite(v) else float(f"{v:.5g}")


def static_picture(trainer: Trainer) -> dict:
    """What stays the same while a network trains: its layers, the inputs' pictures, the points."""
    names = trainer.spec.features
    pts = features(plane_grid(THUMB_N), names)
    inputs, _ = _signed_bytes(pts.T.reshape(len(names), THUMB_N, THUMB_N), (1, 2))

    def points(data):
        return {"x": np.round(data.x[:, 0], 3).tolist(), "y": np.round(data.x[:, 1], 3).tolist(),
                "label": np.round(data.y.astype(float), 4).tolist()}

    return {"kind": trainer.kind, "outputs": trainer.outputs,
            "classes": max(2, trainer.train_data.classes) if trainer.kind == "classification" else 0,
            "layers": [len(names)] + list(trainer.spec.hidden) + [trainer.outputs],
            "labels": [FEATURES[n] for n in names], "inputs": _b64(inputs),
            "train": points(trainer.train_data), "test": points(trainer.test_data),
            "domain": DOMAIN, "grid": GRID_N, "thumb": THUMB_N}


COLORS = {"negative": NEGATIVE, "neutral": NEUTRAL, "positive": POSITIVE, "paper": PAPER, "classes": CLASS_COLORS,
          "train_line": MAIN_LINE, "test_line": MARK}


@dataclass
class Live:
    """One page session's live picture. `gen` names the network the browser is showing: a new one (new
    data or shape, Reset) gets a new gen and the browser drops what it had buffered. `pending` holds
    frames trained but not yet acknowledged by the browser (it says the last step it has, `have`, in each
    request), so a message a rerun swallowed is sent again."""
    trainer: Trainer | None = None
    gen: int = 0
    playing: bool = False
    pending: list[Frame] = field(default_factory=list)
    have: int = -1
    static_version: int = 0
    client_static: int = -1     # the static picture's version the browser says it has
    seq: int = 0
    ack: int = 0                # the last browser event handled, so the browser knows its Play/Pause was seen
    error: Exception | None = None
    built: tuple = ()           # (data, network, live settings) the trainer was made for

    def configure(self, values: dict, csv: tuple[str, Dataset] | None = None, warm: bool = True) -> None:
        """Make the trainer the page's settings describe, doing as little as they need: new learning rate,
        batch size, regularization or activation are tuned into the running trainer (training goes on);
        new data (or seed, split) restarts on the same network when its shape allows, a new network on
        the same data keeps the points clicked onto it; both keep playing. Nothing to train on (no CSV yet,
        a bad formula) is `error`, not data. `csv` is (an id of the upload, its data set)."""
        csv_id = csv[0] if values["data"] == "csv" and csv else None
        given = {**values, "csv": csv_id, "features": tuple(values["features"]), "layers": tuple(values["layers"]),
                 "classes": values["classes"] if values["data"] == "blobs" else None,
                 "curve": values["curve"] if values["data"] == "curve" else None}
        data_key = tuple(given[k] for k in NEW_DATA)
        network_key = tuple(given[k] for k in NEW_NETWORK)
        tuned = tuple(given[k] for k in TUNED)
        built = (data_key, network_key, tuned)
        if built == self.built:
            return
        old, self.built = self.built, built
        if old and old[:2] == built[:2] and self.trainer is not None:
            self.trainer.tune(float(values["lr"]), int(values["batch"]),
                              None if values["reg"] == "none" else values["reg"], float(values["rate"]),
                              values["activation"])
            return
        keep = list(self.trainer.added) if self.trainer is not None and old and old[0] == data_key else []
        try:
            spec, data = spec_from(values), data_from(values, csv[1] if csv else None)
            cut = (values["ratio"] / 100, int(values["seed"]))
            train, test = split(data, *cut)
            t = self.trainer
            if t is not None and t.can_restart(spec, train):
                t.restart(spec, train, test, cut)
            else:
                t = Trainer(spec, train, test, cut, warm=warm)
            for point in keep:
                t.add_point(*point)
            self.error = None
            self.attach(t)
        except (ValueError, ProgramError) as e:
            self.trainer, self.error, self.playing = None, e, False

    def attach(self, trainer: Trainer) -> None:
        """Show this trainer from its current frame (a new network, data, or a restart)."""
        self.trainer, self.gen = trainer, next(_tokens)
        self.pending, self.have = [trainer.last_frame()], -1
        self.static_version = next(_tokens)

    def points_changed(self) -> None:
        self.static_version = next(_tokens)

    def handle(self, event: dict | None, add_class: int = 0) -> str | None:
        """Do what the browser asked. Returns "page" when the rest of the page must be drawn again from the
        network as it now is (after Pause, Step, Reset or a point added: the exports, the point program and
        the replay follow the network), else None."""
        if not event or self.trainer is None:
            return None
        what, at = event.get("do"), event.get("at")
        self.ack = max(self.ack, int(event.get("id", 0)))
        self.client_static = int(event.get("sv") or -1)
        if what == "add":
            self.trainer.add_point(float(event["x1"]), float(event["x2"]), add_class)
            self.points_changed()
            return "page"
        if event.get("gen") != self.gen:
            self.playing = self.playing and what != "pause"       # a stale request: only a pause counts
            return None
        self.have = max(self.have, int(event.get("have", -1)))
        if what == "play":          # only the picture: the first frames come at once (the exports say their step)
            self._land_on(at)
            self.playing = True
            self._train_ahead(int(event.get("want", AHEAD)))
            return None
        if what == "more" and self.playing:
            self._train_ahead(int(event.get("want", AHEAD)))
        elif what == "pause":
            self.playing = False
            self._land_on(at)
            return "page"
        elif what == "step":
            self.playing = False
            self._land_on(at)
            self.pending = self.trainer.frames(1, 1)
            return "page"
        elif what == "reset":
            self.playing = False
            t = self.trainer
            t.restart(t.spec, t.train_data, t.test_data, t.split)
            self.attach(t)
            return "page"
        return None

    def _land_on(self, step) -> None:
        """The trainer back at the frame the browser shows (training ahead of it is dropped)."""
        t = self.trainer
        if step is not None and int(step) != t.step:
            if t.rewind(int(step)) is None:        # not kept (cannot happen while the browser is near): stay
                return
        self.pending = [t.last_frame()]

    def _train_ahead(self, want: int) -> None:
        self.pending = [f for f in self.pending if f.step > self.have]
        k = max(0, min(MOST_PER_MESSAGE, int(want)) - len(self.pending))
        if k:
            self.pending += self.trainer.frames(k)

    def message(self, show_test: bool, discretize: bool, gradients: bool, full: bool = True) -> dict:
        """The component's data: the frames to add, the flags, the loss history, and the static picture
        when the browser may not have it (`full`: the whole page is drawn, perhaps for a new tab)."""
        t = self.trainer
        self.seq += 1
        h = t.history
        every = max(1, len(h.steps) // HISTORY_POINTS)
        last_shown = min((f.step for f in self.pending), default=t.step)
        keep = [i for i in range(0, len(h.steps), every) if h.steps[i] <= last_shown]
        return {"key": "pg_live", "gen": self.gen, "seq": self.seq, "ack": self.ack, "playing": self.playing,
                "fps": FPS, "ahead": AHEAD,
                "flags": {"show_test": bool(show_test), "discretize": bool(discretize), "gradients": bool(gradients)},
                "static_version": self.static_version, "colors": COLORS,
                "static": static_picture(t) if full or self.client_static != self.static_version else None,
                "history": {"step": [h.steps[i] for i in keep], "epoch": [round(h.epochs[i], 3) for i in keep],
                            "train": [_round(h.train_loss[i]) for i in keep],
                            "test": [_round(h.test_loss[i]) for i in keep]},
                "frames": encode_frames(t, self.pending[:MOST_PER_MESSAGE + 1], gradients)}
