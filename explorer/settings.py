"""Settings as data: one table per page names each setting, its type, default and URL key.

The URL encoding, the decoding of a shared link and a teacher's hide list all read the table (the
pattern of TensorFlow Playground's `State.PROPS`). A page's state is `{setting: value}`; a link holds
only what differs from the defaults, plus two flags every page understands:

- `hide=name,name` — the named controls are not drawn (a teacher link: students see only the lesson);
- `present=1` — presentation mode: no editor, no sidebar, larger type for the back row.

Streamlit-free: `app_pages/_links.py` moves values between the table, the session and the address bar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

from .share import decode_program, encode_program

HIDE = "hide"
PRESENT = "present"
KINDS = ("program", "text", "choice", "int", "float", "bool", "list")


@dataclass(frozen=True)
class Setting:
    name: str                   # URL key, hide-list name, and the session key after the page's prefix
    kind: str                   # one of KINDS
    default: Any
    label: str                  # what the control is called on the page (and in the README's table)
    choices: tuple = ()         # choice: the allowed values; list: the allowed items
    low: float | None = None    # int/float: inclusive bounds
    high: float | None = None
    hideable: bool = True       # can a teacher link hide its control?
    client: bool = False        # kept in the address bar by the browser itself (the step-through's step)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"setting {self.name}: kind {self.kind!r} is not one of {KINDS}")
        if self.name in (HIDE, PRESENT, "hidden", "url", "link_errors", "own", "example"):
            raise ValueError(f"setting name {self.name!r} is reserved (the link flags and the keys "
                             "app_pages/_links.py keeps beside a page's settings)")

    def encode(self, value: Any) -> str:
        if self.kind == "program":
            return encode_program(value)
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind == "list":
            return ",".join(str(v) for v in value)
        if self.kind == "float":
            text = repr(float(value))
            return text[:-2] if text.endswith(".0") else text
        return str(value)

    def decode(self, text: str) -> Any:
        """The value in a link, or ValueError saying plainly what is wrong with it."""
        if self.kind == "program":
            return decode_program(text)
        if self.kind == "text":
            if len(text) > 200:
                raise ValueError(f"{self.name} is longer than 200 characters")
            return text
        if self.kind == "bool":
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(f"{self.name}={text!r} is not on/off (use 1 or 0)")
        if self.kind == "list":
            items = [t for t in text.split(",") if t]
            if self.choices:
                unknown = [t for t in items if t not in [str(c) for c in self.choices]]
                if unknown:
                    raise ValueError(f"{self.name}: {', '.join(unknown)} is not one of "
                                     f"{', '.join(map(str, self.choices))}")
                by_text = {str(c): c for c in self.choices}
                return [by_text[t] for t in items]
            return items
        if self.kind == "choice":
            by_text = {str(c): c for c in self.choices}
            if text not in by_text:
                raise ValueError(f"{self.name}={text!r} is not one of {', '.join(by_text)}")
            return by_text[text]
        if self.kind in ("int", "float"):
            try:
                value = int(text) if self.kind == "int" else float(text)
            except ValueError:
                raise ValueError(f"{self.name}={text!r} is not a{'n integer' if self.kind == 'int' else ' number'}") \
                    from None
            if self.kind == "float" and not math.isfinite(value):
                raise ValueError(f"{self.name}={text!r} is not a finite number")
            if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
                raise ValueError(f"{self.name}={text} is outside {self.low:g} … {self.high:g}")
            return value
        raise AssertionError(self.kind)


@dataclass(frozen=True)
class Settings:
    """One page's table."""
    page: str                   # the page's URL path ("", "walkthrough", "descent", "playground")
    prefix: str                 # session-state prefix of the page's keys ("wt_", "gd_", ...)
    table: tuple[Setting, ...]
    controls: tuple[str, ...] = ()   # controls a teacher link can hide that hold no state (the example picker)

    def __post_init__(self):
        names = [s.name for s in self.table] + list(self.controls)
        if len(set(names)) != len(names):
            raise ValueError(f"{self.page}: a setting name is used twice")

    def __getitem__(self, name: str) -> Setting:
        for s in self.table:
            if s.name == name:
                return s
        raise KeyError(name)

    def key(self, name: str) -> str:
        """The session-state key of a setting's control."""
        self[name]
        return self.prefix + name

    def defaults(self) -> dict[str, Any]:
        return {s.name: s.default for s in self.table}

    def encode(self, values: Mapping[str, Any], hidden=(), present: bool = False) -> dict[str, str]:
        """URL query parameters: each value that differs from its default, then the flags."""
        params = {s.name: s.encode(values[s.name]) for s in self.table
                  if s.name in values and values[s.name] != s.default}
        if hidden:
            params[HIDE] = ",".join(n for n in [s.name for s in self.table] + list(self.controls) if n in set(hidden))
        if present:
            params[PRESENT] = "1"
        return params

    def decode(self, params: Mapping[str, str]) -> tuple[dict[str, Any], frozenset[str], bool, list[str]]:
        """(values, hidden, present, errors) from a link: only the settings the link names; a bad value is
        skipped with its error, the others still apply."""
        values, errors = {}, []
        for s in self.table:
            if s.name in params:
                try:
                    values[s.name] = s.decode(params[s.name])
                except ValueError as e:
                    errors.append(str(e))
        hidden: set[str] = set()
        for name in filter(None, params.get(HIDE, "").split(",")):
            if name in self.controls:
                hidden.add(name)
                continue
            try:
                if self[name].hideable:
                    hidden.add(name)
                else:
                    errors.append(f"hide: {name} cannot be hidden")
            except KeyError:
                errors.append(f"hide: this page has no control named {name!r} (it has "
                              f"{', '.join([s.name for s in self.table if s.hideable] + list(self.controls))})")
        present = params.get(PRESENT, "0") in ("1", "true", "on", "yes")
        return values, frozenset(hidden), present, errors

    def markdown(self) -> str:
        """The table as the README shows it."""
        rows = ["| URL key | control | type | default |", "|---|---|---|---|"]
        for s in self.table:
            kind = s.kind + (f" ({', '.join(map(str, s.choices))})" if s.choices and len(s.choices) <= 8 else "")
            default = "the page's first example" if s.kind == "program" else f"`{s.encode(s.default)}`"
            rows.append(f"| `{s.name}` | {s.label} | {kind} | {default} |")
        rows += [f"| `{c}` | (hide only) | — | — |" for c in self.controls]
        return "\n".join(rows)
