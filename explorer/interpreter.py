"""Runs a checked program: the Python of the course material, interpreted, never compiled by Python.

The syntax tree (explorer.language checks it first) is turned once into a tree of small Python closures,
one per syntax node, which the run then calls: the usual way to make a tree-walking interpreter fast.
Nothing here hands user text to `eval`, `exec` or `compile`, and no attribute is reached by a name the
program wrote except through the tables of explorer.library.

Python's meaning is kept where the material relies on it: scopes (local, enclosing, global), default
and keyword arguments, closures, classes with inheritance, `super()`, properties and operator methods,
exceptions with `try`, iteration over ranges, zips, lists, NumPy arrays and tensors. Every TensorFlow
call goes to explorer.recorder, which calls TensorFlow and records the graph; every statement, call and
loop iteration counts against explorer.limits.
"""

from __future__ import annotations

import ast
import itertools
import math
import operator
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import tensorflow as tf
from tensorflow.python.framework.ops import EagerTensor

from . import limits
from .errors import ProgramError, source_lines
from .language import parse, strip_notebook_syntax
from .ops import ABS, BINARY_OPERATORS, COMPARE_OPERATORS, UNARY_OPERATORS
from .recorder import Recorder, Site
from .trace import Figure, TapeRef
from .values import (OBJECT, BoundMethod, Builtin, Class, ClassMethod, ExcClass, ExcValue, Function, Instance,
                     LimitError, Namespace, OpCallable, ProgramRaise, Property, StaticMethod, Super, TypeInfo,
                     _MISSING)

_BREAK = object()
_CONTINUE = object()
_PLAIN = (int, float, bool, complex)
_SEQ_TYPES = (list, tuple, str, bytes)


class _Return:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class Frame:
    __slots__ = ("vars", "globals", "parent", "function", "args0")

    def __init__(self, vars_: dict, globals_: dict, parent: "Frame | None", function=None, args0=_MISSING):
        self.vars, self.globals, self.parent, self.function, self.args0 = vars_, globals_, parent, function, args0


class Scope:
    """Compile-time knowledge of where a name lives: local, in an enclosing function, global."""

    def __init__(self, kind: str, parent: "Scope | None", local: set[str] = frozenset(),
                 global_decl: set[str] = frozenset(), nonlocal_decl: set[str] = frozenset()):
        self.kind, self.parent = kind, parent
        self.local = set(local) - set(global_decl) - set(nonlocal_decl)
        self.global_decl, self.nonlocal_decl = set(global_decl), set(nonlocal_decl)

    def resolve(self, name: str) -> tuple:
        if self.kind == "module":
            return ("global",)
        if self.kind == "class":
            return ("class", self._enclosing(name, 0))
        if name in self.global_decl:
            return ("global",)
        if name in self.local:
            return ("local",)
        return self._enclosing(name, 1)

    def _enclosing(self, name: str, depth: int) -> tuple:
        s = self.parent
        while s is not None and s.kind != "module":
            if s.kind == "class":
                s = s.parent
                continue
            if name in s.local:
                return ("free", depth)
            depth += 1
            s = s.parent
        return ("global",)


@dataclass
class Outcome:
    """What one run leaves: the recorder (graph windows, recordings, series), the final names, what it
    printed, the value of a last bare expression, its matplotlib figures."""
    recorder: Recorder
    env: dict[str, Any]
    output: list[str]
    display: str | None
    figures: list[Figure]
    shorthand: bool
    target: int | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    fits: list[dict] = field(default_factory=list)     # each model.fit: model name, line, history per epoch


class Interpreter:
    def __init__(self, source: str, dtype: str = "float32", seed: int = 0, *, keep: int | None = None,
                 overrides: dict | None = None, progress=None):
        if dtype not in ("float32", "float64"):
            raise ProgramError(f"dtype must be 'float32' or 'float64', not {dtype!r}")
        from . import library                      # the tables need the interpreter's types
        self.lib = library
        self.source = source
        self.dtype = dtype
        self.float = tf.float32 if dtype == "float32" else tf.float64
        self.seed = int(seed)
        self.rec = Recorder(self, self.float, self.seed, keep, overrides)
        self.text = SourceText(source)
        self.output: list[str] = []
        self.output_chars = 0
        self.figures: list[Figure] = []
        self.notes: list[str] = []
        self.handling: list[ProgramRaise] = []
        self._pending = ""                 # printed text not yet ended by a newline
        self.scope: tuple[str, ...] = ()
        self.depth = 0
        self.steps = 0
        self.calls_made = 0
        self.start = time.monotonic()
        self.deadline = self.start + limits.MAX_SECONDS
        self.memory_base = _rss_mb()
        self.made = self.made_at_check = 0
        self.frame: Frame | None = None
        self.shorthand_vars: set[str] = set()
        self.globals: dict[str, Any] = {}
        self.keras_state = None            # explorer.keras: this run's layer names, fits, companions
        self.progress = progress           # progress(fraction, text) while model.fit runs

    # ---- running ------------------------------------------------------------------------------------------

    def run(self) -> Outcome:
        cleaned, notes = strip_notebook_syntax(self.source)
        self.notes += notes
        tree = parse(cleaned)
        shorthand = is_shorthand(tree)
        self.globals = self.lib.initial_globals(self)
        frame = Frame(self.globals, self.globals, None)
        self.frame = frame
        module = Scope("module", None)
        target = None
        display = None
        try:
            if shorthand:
                target = self._run_shorthand(tree.body, frame, module)
            else:
                body = tree.body
                last = body[-1] if body and isinstance(body[-1], ast.Expr) and not _silenced(self.source, body[-1]) \
                    and not _is_print(body[-1]) else None
                run = self._block(body[:-1] if last is not None else body, module)
                r = run(frame)
                if r is _BREAK or r is _CONTINUE:
                    raise ProgramError("`break` or `continue` outside a loop")
                if isinstance(r, _Return):
                    raise ProgramError("`return` outside a function")
                if last is not None:
                    value = self._stmt_expr_value(last, module)(frame)
                    if value is not None:
                        display = self.to_repr(value)
        except ProgramRaise as e:
            raise self._as_program_error(e) from None
        except RecursionError:
            raise LimitError(f"the program is nested or recursing too deeply (more than "
                             f"{limits.MAX_CALL_DEPTH} calls)") from None
        finally:
            self.rec.finish()
        if self._pending:                  # print(..., end="") with nothing after it
            self.print(self._pending)
            self._pending = ""
        env = {k: v for k, v in self.globals.items() if k not in self.lib.PREDEFINED or v is not
               self.lib.PREDEFINED_VALUES.get(k)}
        return Outcome(self.rec, env, self.output, display, self.figures, shorthand, target, self.notes,
                       time.monotonic() - self.start, self.keras_state.fits if self.keras_state else [])

    def _stmt_expr_value(self, stmt: ast.Expr, scope: Scope) -> Callable:
        value = self._expr(stmt.value, scope)
        site = self._site(stmt)

        def run(frame):
            self._tick(site)
            try:
                return value(frame)
            except Exception as e:
                raise self._located(e, site) from None
        return run

    def _run_shorthand(self, body: list[ast.stmt], frame: Frame, scope: Scope) -> int | None:
        """`x = 3.0; y = 2.0; x**2 * y`: numbers become variables, the last expression the target."""
        self.shorthand_vars = {t.id for s in body[:-1] if isinstance(s, ast.Assign) and
                               _number_like(s.value) for t in s.targets if isinstance(t, ast.Name)}
        site = self._site(body[-1])
        tape = self.rec.new_tape("tape", persistent=False, watch_accessed=True, line=site.line)
        self.rec.tape_enter(tape, site)
        try:
            self._block(body[:-1], scope)(frame)
            result = self._expr(body[-1].value, scope)(frame)
            if isinstance(result, tf.Variable) or not isinstance(result, EagerTensor):
                result = self.rec.call_bound(self.lib.SPECS["tf.convert_to_tensor"], {"value": result}, site)
        except ProgramRaise as e:
            raise self._as_program_error(e) from None
        except Exception as e:
            raise self._as_program_error(self._located(e, site)) from None
        finally:
            self.rec.tape_exit(tape)
        name = "f"
        while name in self.globals:
            name += "_"
        self.store_global(name, result)
        sources = [(n, v) for n, v in self.globals.items() if isinstance(v, tf.Variable) and n in self.shorthand_vars]
        if sources and result.dtype.is_floating:
            grads = self.rec.gradient(tape, "gradient", result, [v for _, v in sources], site)
            for (n, _), g in zip(sources, grads):
                self.store_global(f"d{name}_d{n}", g)
        return self.rec.window.node_of.get(id(self.globals[name]))

    def store_global(self, name: str, value: Any) -> None:
        self.globals[name] = value
        self._name(name, value)

    # ---- limits -----------------------------------------------------------------------------------------------

    def _tick(self, site: Site) -> None:
        self.steps += 1
        if self.steps & 15 == 0:
            self._check_limits(site)

    def _check_limits(self, site: Site) -> None:
        if time.monotonic() > self.deadline:
            raise LimitError(f"the program ran longer than {limits.MAX_SECONDS:.0f} seconds and was stopped",
                             site.line, site.col)
        if self.steps > limits.MAX_STEPS:
            raise LimitError(f"the program ran more than {limits.MAX_STEPS:,} steps (statements, calls and loop "
                             "iterations) and was stopped", site.line, site.col)

    def allocated(self, n: int, site: Site | None) -> None:
        """A tensor or array of n entries was made: every few million entries, look at the process's memory
        (what matters is what the program keeps, which only the process's size tells)."""
        self.made += n
        if self.made - self.made_at_check > 2_000_000:
            self.made_at_check = self.made
            s = site or _NOWHERE
            self._check_limits(s)
            if _rss_mb() - self.memory_base > limits.MAX_RUN_MEMORY_MB:
                raise LimitError(f"the program holds more than {limits.MAX_RUN_MEMORY_MB:,} MB of memory and was "
                                 "stopped", s.line, s.col)

    def check_items(self, n: int, site: Site | None, what: str = "values") -> None:
        if n > limits.MAX_TENSOR_ELEMENTS:
            s = site or _NOWHERE
            raise LimitError(f"this would make {n:,} {what}; the limit is {limits.MAX_TENSOR_ELEMENTS:,}",
                             s.line, s.col)

    def check_chars(self, n: int, site: Site | None) -> None:
        if n > limits.MAX_STRING_CHARS:
            s = site or _NOWHERE
            raise LimitError(f"this would make a string of {n:,} characters; the limit is "
                             f"{limits.MAX_STRING_CHARS:,}", s.line, s.col)

    # ---- errors -----------------------------------------------------------------------------------------------

    def _located(self, e: BaseException, site: Site) -> BaseException:
        """An exception as the program sees it: located at the innermost expression that raised it."""
        if isinstance(e, (ProgramRaise, ProgramError)):
            if isinstance(e, ProgramRaise) and e.line is None:
                e.line, e.col = site.line, site.col
            if isinstance(e, ProgramError) and e.line is None:
                return type(e)(e.message, site.line, site.col)
            return e
        if isinstance(e, RecursionError):
            return LimitError(f"the program is nested or recursing too deeply (more than {limits.MAX_CALL_DEPTH} "
                              "calls)", site.line, site.col)
        if isinstance(e, MemoryError):
            return LimitError("the program ran out of memory", site.line, site.col)
        cls = self.lib.exception_class(e)
        return ProgramRaise(ExcValue(cls, tuple(e.args), _message(e)), site.line, site.col)

    def _as_program_error(self, e: ProgramRaise) -> ProgramError:
        where = ""
        if e.calls:
            where = " (in " + ", called from ".join(f"`{name}()` at line {line}" if line else f"`{name}()`"
                                                      for name, line in e.calls) + ")"
        text = _first_line(e.message)
        hint = self.lib.hint_for(e.type_name, text)
        return ProgramError(f"{e.type_name}: {text}{where}" + (f". {hint}" if hint else ""), e.line, e.col)

    # ---- sites and names ----------------------------------------------------------------------------------------

    def _site(self, node: ast.AST, args: list | None = None, keywords: list | None = None) -> Site:
        line = getattr(node, "lineno", 0)
        col = getattr(node, "col_offset", -1) + 1
        return Site(line, col, _short(self.text.segment(node)),
                    tuple(_short(self.text.segment(a)) for a in args or ()),
                    {k.arg: _short(self.text.segment(k.value)) for k in keywords or () if k.arg})

    def _name(self, name: str, value: Any) -> None:
        if type(value) is EagerTensor or isinstance(value, tf.Variable) or \
                (type(value) in (list, tuple) and value and type(value[0]) is EagerTensor):
            self.rec.name(name, value)
        elif isinstance(value, TapeRef) and value.name == "tape?":
            value.name = name

    def name_of(self, value: Any) -> str | None:
        """The name the current frame (or the module) binds to this value, for a value entering a
        recording from outside it."""
        frame = self.frame
        for scope in ((frame.vars if frame else {}), self.globals):
            for k, v in scope.items():
                if v is value:
                    return k
        return None

    def describe(self, v: Any) -> str:
        return self.lib.type_name(v)

    # ---- compiling: statements -----------------------------------------------------------------------------

    def _block(self, stmts: list[ast.stmt], scope: Scope) -> Callable:
        fs = [self._stmt(s, scope) for s in stmts]
        if not fs:
            return lambda frame: None
        if len(fs) == 1:
            return fs[0]

        def run(frame):
            for f in fs:
                r = f(frame)
                if r is not None:
                    return r
            return None
        return run

    def _stmt(self, node: ast.stmt, scope: Scope) -> Callable:
        method = getattr(self, "_s_" + type(node).__name__, None)
        if method is None:
            raise ProgramError(f"`{type(node).__name__}` is not part of the program language", node.lineno,
                               node.col_offset + 1)
        inner = method(node, scope)
        site = self._site(node)
        tick = self._tick
        located = self._located
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.For, ast.While, ast.If, ast.With, ast.Try)):
            def run_compound(frame):
                tick(site)
                try:
                    return inner(frame)
                except (ProgramRaise, ProgramError):
                    raise
                except Exception as e:        # from the header itself: `for a in scalar`, `with obj as t[0]`
                    raise located(e, site) from None
            return run_compound

        def run(frame):
            tick(site)
            try:
                return inner(frame)
            except ProgramError as e:
                if e.line is None:            # a library refusal that did not know where: this statement
                    raise type(e)(e.message, site.line, site.col) from None
                raise
            except ProgramRaise:
                raise
            except Exception as e:
                raise located(e, site) from None
        return run

    def _s_Pass(self, node, scope):
        return lambda frame: None

    def _s_Break(self, node, scope):
        return lambda frame: _BREAK

    def _s_Continue(self, node, scope):
        return lambda frame: _CONTINUE

    def _s_Expr(self, node, scope):
        value = self._expr(node.value, scope)

        def run(frame):
            value(frame)
        return run

    def _s_Assign(self, node, scope):
        value = self._expr(node.value, scope)
        stores = [self._target(t, scope) for t in node.targets]
        shorthand = [t.id for t in node.targets if isinstance(t, ast.Name)] if _number_like(node.value) else []
        site = self._site(node)
        if len(stores) == 1 and not shorthand:
            store = stores[0]

            def run(frame):
                store(frame, value(frame))
            return run

        def run_many(frame):
            v = value(frame)
            for name in shorthand:
                if name in self.shorthand_vars:
                    v = self.rec.variable({"initial_value": v}, site)
            for store in stores:
                store(frame, v)
        return run_many

    def _s_AnnAssign(self, node, scope):
        if node.value is None:
            return lambda frame: None
        value = self._expr(node.value, scope)
        store = self._target(node.target, scope)

        def run(frame):
            store(frame, value(frame))
        return run

    def _s_AugAssign(self, node, scope):
        op = type(node.op).__name__
        value = self._expr(node.value, scope)
        site = self._site(node, [node.target, node.value])
        inplace = self.inplace
        if isinstance(node.target, ast.Name):
            load = self._expr(ast.Name(node.target.id, ast.Load(), lineno=node.lineno, col_offset=node.col_offset),
                              scope)
            store = self._target(node.target, scope)

            def run(frame):
                store(frame, inplace(op, load(frame), value(frame), site))
            return run
        if isinstance(node.target, ast.Attribute):
            obj = self._expr(node.target.value, scope)
            attr = node.target.attr
            label = _short(self.text.segment(node.target))

            def run_attr(frame):
                o = obj(frame)
                self.setattr(o, attr, inplace(op, self.getattr(o, attr, site), value(frame), site), site, label)
            return run_attr
        if isinstance(node.target, ast.Subscript):
            obj = self._expr(node.target.value, scope)
            key = self._expr(node.target.slice, scope)

            def run_item(frame):
                o, k = obj(frame), key(frame)
                self.setitem(o, k, inplace(op, self.getitem(o, k, site), value(frame), site), site)
            return run_item
        raise ProgramError("this cannot be the target of an augmented assignment", node.lineno, node.col_offset + 1)

    def _s_Delete(self, node, scope):
        parts = []
        for t in node.targets:
            if isinstance(t, ast.Name):
                where = scope.resolve(t.id)
                name = t.id

                def delete_name(frame, name=name, where=where):
                    d = self._frame_dict(frame, where)
                    if name not in d:
                        raise NameError(f"name '{name}' is not defined")
                    del d[name]
                parts.append(delete_name)
            elif isinstance(t, ast.Subscript):
                obj, key = self._expr(t.value, scope), self._expr(t.slice, scope)
                site = self._site(t)
                parts.append(lambda frame, obj=obj, key=key, site=site: self.delitem(obj(frame), key(frame), site))
            elif isinstance(t, ast.Attribute):
                obj = self._expr(t.value, scope)
                attr = t.attr
                parts.append(lambda frame, obj=obj, attr=attr: self.delattr(obj(frame), attr))
            else:
                raise ProgramError("`del` takes names, items and attributes", t.lineno, t.col_offset + 1)

        def run(frame):
            for p in parts:
                p(frame)
        return run

    def _s_If(self, node, scope):
        test = self._expr(node.test, scope)
        body = self._block(node.body, scope)
        orelse = self._block(node.orelse, scope)
        truth = self.truth
        site = self._site(node.test)

        def run(frame):
            try:
                t = truth(test(frame))
            except (ProgramRaise, ProgramError):
                raise
            except Exception as e:
                raise self._located(e, site) from None
            return body(frame) if t else orelse(frame)
        return run

    def _s_While(self, node, scope):
        test = self._expr(node.test, scope)
        body = self._block(node.body, scope)
        orelse = self._block(node.orelse, scope)
        site = self._site(node)
        loop_id = id(node)
        rec = self.rec
        truth = self.truth
        tick = self._tick

        def run(frame):
            while True:
                tick(site)
                try:
                    go = truth(test(frame))
                except (ProgramRaise, ProgramError):
                    raise
                except Exception as e:
                    raise self._located(e, site) from None
                if not go:
                    return orelse(frame)
                w = rec.iteration_begin(loop_id, site.line)
                try:
                    r = body(frame)
                finally:
                    rec.iteration_end(w)
                if r is _BREAK:
                    return None
                if r is not None and r is not _CONTINUE:
                    return r
        return run

    def _s_For(self, node, scope):
        iterable = self._expr(node.iter, scope)
        store = self._target(node.target, scope)
        body = self._block(node.body, scope)
        orelse = self._block(node.orelse, scope)
        site = self._site(node)
        loop_id = id(node)
        rec = self.rec
        tick = self._tick

        def run(frame):
            try:
                it = self.iterate(iterable(frame), site)
            except (ProgramRaise, ProgramError):
                raise
            except Exception as e:
                raise self._located(e, site) from None
            for item in it:
                tick(site)
                w = rec.iteration_begin(loop_id, site.line)
                try:
                    store(frame, item)
                    r = body(frame)
                finally:
                    rec.iteration_end(w)
                if r is _BREAK:
                    return None
                if r is not None and r is not _CONTINUE:
                    return r
            return orelse(frame)
        return run

    def _s_Return(self, node, scope):
        if node.value is None:
            return lambda frame: _Return(None)
        value = self._expr(node.value, scope)
        return lambda frame: _Return(value(frame))

    def _s_Global(self, node, scope):
        return lambda frame: None

    _s_Nonlocal = _s_Global

    def _s_Assert(self, node, scope):
        test = self._expr(node.test, scope)
        msg = self._expr(node.msg, scope) if node.msg is not None else None
        site = self._site(node)

        def run(frame):
            if not self.truth(test(frame)):
                args = (msg(frame),) if msg is not None else ()
                raise ProgramRaise(ExcValue(self.lib.EXCEPTIONS["AssertionError"], args,
                                            self.to_str(args[0]) if args else ""), site.line, site.col)
        return run

    def _s_Raise(self, node, scope):
        exc = self._expr(node.exc, scope) if node.exc is not None else None
        site = self._site(node)

        def run(frame):
            if exc is None:
                current = self.handling[-1] if self.handling else None
                if current is None:
                    raise ProgramRaise(ExcValue(self.lib.EXCEPTIONS["RuntimeError"], ("No active exception to "
                                                                                        "reraise",)), site.line,
                                       site.col)
                raise current
            value = exc(frame)
            if isinstance(value, ExcClass) or (isinstance(value, Class) and value.is_subclass(
                    self.lib.EXCEPTIONS["BaseException"])):
                value = self.call(value, [], {}, site)
            if not isinstance(value, (ExcValue, Instance)):
                raise TypeError("exceptions must derive from BaseException")
            raise ProgramRaise(value, site.line, site.col)
        return run

    def _s_Try(self, node, scope):
        body = self._block(node.body, scope)
        orelse = self._block(node.orelse, scope)
        final = self._block(node.finalbody, scope) if node.finalbody else None
        handlers = []
        for h in node.handlers:
            kind = self._expr(h.type, scope) if h.type is not None else None
            store = self._target(ast.Name(h.name, ast.Store(), lineno=h.lineno, col_offset=h.col_offset), scope) \
                if h.name else None
            handlers.append((kind, store, self._block(h.body, scope)))

        def run(frame):
            try:
                try:
                    r = body(frame)
                except ProgramRaise as e:
                    for kind, store, hbody in handlers:
                        if kind is None or self._matches(e.value, kind(frame)):
                            if store is not None:
                                store(frame, e.value)
                            self.handling.append(e)      # what a bare `raise` in the handler re-raises
                            try:
                                return hbody(frame)
                            finally:
                                self.handling.pop()
                    raise
                return r if r is not None else orelse(frame)
            finally:
                if final is not None:
                    r2 = final(frame)
                    if r2 is not None:
                        return r2
        return run

    def _matches(self, value: Any, kind: Any) -> bool:
        kinds = kind if isinstance(kind, tuple) else (kind,)
        for k in kinds:
            if isinstance(value, ExcValue) and isinstance(k, ExcClass) and issubclass(value.cls.pyclass, k.pyclass):
                return True
            if isinstance(value, Instance) and isinstance(k, (Class, ExcClass)) and value.cls.is_subclass(k):
                return True
            if not isinstance(k, (Class, ExcClass)):
                raise TypeError("catching classes that do not inherit from BaseException is not allowed")
        return False

    def _s_Import(self, node, scope):
        binds = []
        for alias in node.names:
            module = self.lib.import_module(alias.name, node)
            if alias.asname:
                binds.append((alias.asname, module))
            else:
                top = alias.name.split(".")[0]
                binds.append((top, self.lib.import_module(top, node)))
        stores = [(self._target(ast.Name(n, ast.Store(), lineno=node.lineno, col_offset=node.col_offset), scope), v)
                  for n, v in binds]

        def run(frame):
            for store, v in stores:
                store(frame, v)
        return run

    def _s_ImportFrom(self, node, scope):
        if node.module == "__future__":
            return lambda frame: None
        module = self.lib.import_module(node.module or "", node)
        stores = []
        for alias in node.names:
            if alias.name == "*":
                raise ProgramError("`from ... import *` is not available: import the names you use", node.lineno,
                                   node.col_offset + 1)
            value = self.lib.module_attr(module, alias.name, node)
            name = alias.asname or alias.name
            stores.append((self._target(ast.Name(name, ast.Store(), lineno=node.lineno, col_offset=node.col_offset),
                                        scope), value))

        def run(frame):
            for store, v in stores:
                store(frame, v)
        return run

    def _s_With(self, node, scope):
        items = [(self._expr(i.context_expr, scope), self._target(i.optional_vars, scope) if i.optional_vars else None,
                  self._site(i.context_expr)) for i in node.items]
        body = self._block(node.body, scope)

        def run(frame):
            exits = []
            try:
                for ctx, store, site in items:
                    try:
                        value = ctx(frame)
                        entered = self.enter(value, site)
                    except (ProgramRaise, ProgramError):
                        raise
                    except Exception as e:
                        raise self._located(e, site) from None
                    exits.append((value, entered))
                    if store is not None:
                        store(frame, entered)
                return body(frame)
            finally:
                for value, entered in reversed(exits):
                    self.leave(value)
        return run

    def _s_FunctionDef(self, node, scope):
        make = self._function(node, scope, node.name, node.body, is_lambda=False)
        decorators = [self._expr(d, scope) for d in node.decorator_list]
        store = self._target(ast.Name(node.name, ast.Store(), lineno=node.lineno, col_offset=node.col_offset), scope)
        site = self._site(node)

        def run(frame):
            decs = [d(frame) for d in decorators]
            f = make(frame)
            for d in reversed(decs):
                f = self.call(d, [f], {}, site)
            store(frame, f)
        return run

    def _s_ClassDef(self, node, scope):
        if node.keywords:
            raise ProgramError("class keywords (metaclass=...) are not available", node.lineno, node.col_offset + 1)
        bases = [self._expr(b, scope) for b in node.bases]
        inner = Scope("class", scope, _bound_names(node.body))
        body = self._block(node.body, inner)
        decorators = [self._expr(d, scope) for d in node.decorator_list]
        store = self._target(ast.Name(node.name, ast.Store(), lineno=node.lineno, col_offset=node.col_offset), scope)
        site = self._site(node)

        def run(frame):
            base_values = tuple(b(frame) for b in bases)
            for b in base_values:
                if not (isinstance(b, (Class, ExcClass)) or b is OBJECT or self.lib.is_native_base(b)):
                    raise TypeError(f"a class can extend the program's own classes, object, an exception class or "
                                    f"a Keras class, not {self.describe(b)}")
            ns: dict[str, Any] = {}
            class_frame = Frame(ns, frame.globals, frame if scope.kind != "module" else None)
            body(class_frame)
            cls = self.lib.make_class(self, node.name, base_values or (OBJECT,), ns, node.lineno)
            for v in ns.values():
                f = v.func if isinstance(v, (StaticMethod, ClassMethod)) else v.getter if isinstance(v, Property) else v
                if isinstance(f, Function):
                    f.owner = cls
                    f.label = f"{node.name}.{f.name}"
                if isinstance(v, Property) and isinstance(v.setter, Function):
                    v.setter.owner = cls
            value = cls
            for d in reversed([d(frame) for d in decorators]):
                value = self.call(d, [value], {}, site)
            store(frame, value)
        return run

    def _function(self, node, scope: Scope, name: str, body_nodes, is_lambda: bool) -> Callable:
        args = node.args
        params = _Params(args)
        local = set(params.names) | (_bound_names(body_nodes) if not is_lambda else _bound_in_expr(body_nodes))
        gdecl, ndecl = _declared(body_nodes) if not is_lambda else (set(), set())
        inner = Scope("function", scope, local, gdecl, ndecl)
        if is_lambda:
            expr = self._expr(body_nodes, inner)
            body = lambda frame: expr(frame)   # noqa: E731
        else:
            if any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in _walk_own(body_nodes)):
                raise ProgramError("generators (`yield`) are not available: build a list and return it",
                                   node.lineno, node.col_offset + 1)
            body = self._block(body_nodes, inner)
        defaults = [self._expr(d, scope) for d in args.defaults]
        kwdefaults = [(a.arg, self._expr(d, scope)) for a, d in zip(args.kwonlyargs, args.kw_defaults)
                      if d is not None]
        line = node.lineno
        module_level = scope.kind == "module"
        class_level = scope.kind == "class"

        def make(frame):
            closure = None if module_level else (frame.parent if class_level else frame)
            return Function(name, params, body, tuple(d(frame) for d in defaults),
                            {k: d(frame) for k, d in kwdefaults}, closure, frame.globals, inner, line, is_lambda,
                            self)
        return make

    # ---- compiling: targets -----------------------------------------------------------------------------------

    def _target(self, node: ast.AST, scope: Scope) -> Callable[[Frame, Any], None]:
        if isinstance(node, ast.Name):
            name = node.id
            where = scope.resolve(name)
            naming = self._name
            if where[0] == "local" or (where[0] == "global" and scope.kind == "module"):
                def store_local(frame, v):
                    frame.vars[name] = v
                    naming(name, v)
                return store_local
            if where[0] == "class":
                def store_class(frame, v):
                    frame.vars[name] = v
                return store_class
            if where[0] == "global":
                def store_global(frame, v):
                    frame.globals[name] = v
                    naming(name, v)
                return store_global
            depth = where[1]

            def store_free(frame, v):
                f = frame
                for _ in range(depth):
                    f = f.parent
                f.vars[name] = v
            return store_free
        if isinstance(node, (ast.Tuple, ast.List)):
            starred = [i for i, e in enumerate(node.elts) if isinstance(e, ast.Starred)]
            stores = [self._target(e.value if isinstance(e, ast.Starred) else e, scope) for e in node.elts]
            site = self._site(node)
            n = len(stores)
            star = starred[0] if starred else None

            def store_seq(frame, v):
                items = list(self.iterate(v, site, limit=n + 1 if star is None else None))
                if star is None:
                    if len(items) != n:
                        raise ValueError(f"too many values to unpack (expected {n})" if len(items) > n else
                                         f"not enough values to unpack (expected {n}, got {len(items)})")
                    for s, item in zip(stores, items):
                        s(frame, item)
                    return
                if len(items) < n - 1:
                    raise ValueError(f"not enough values to unpack (expected at least {n - 1}, got {len(items)})")
                after = n - star - 1
                for s, item in zip(stores[:star], items[:star]):
                    s(frame, item)
                stores[star](frame, items[star:len(items) - after])
                for s, item in zip(stores[star + 1:], items[len(items) - after:]):
                    s(frame, item)
            return store_seq
        if isinstance(node, ast.Attribute):
            obj = self._expr(node.value, scope)
            attr = node.attr
            site = self._site(node)
            label = _short(self.text.segment(node))

            def store_attr(frame, v):
                self.setattr(obj(frame), attr, v, site, label)
            return store_attr
        if isinstance(node, ast.Subscript):
            obj = self._expr(node.value, scope)
            key = self._expr(node.slice, scope)
            site = self._site(node)

            def store_item(frame, v):
                self.setitem(obj(frame), key(frame), v, site)
            return store_item
        if isinstance(node, ast.Starred):
            raise ProgramError("a starred target must be inside a tuple or list", node.lineno, node.col_offset + 1)
        raise ProgramError("assign to a name, an attribute, an item, or a tuple of them", node.lineno,
                           node.col_offset + 1)

    def _frame_dict(self, frame: Frame, where: tuple) -> dict:
        if where[0] == "local" or where[0] == "class":
            return frame.vars
        if where[0] == "global":
            return frame.globals
        f = frame
        for _ in range(where[1]):
            f = f.parent
        return f.vars

    # ---- compiling: expressions -------------------------------------------------------------------------------

    def _expr(self, node: ast.AST, scope: Scope) -> Callable[[Frame], Any]:
        method = getattr(self, "_x_" + type(node).__name__, None)
        if method is None:
            raise ProgramError(f"`{type(node).__name__}` is not part of the program language",
                               getattr(node, "lineno", None), getattr(node, "col_offset", -1) + 1)
        return method(node, scope)

    def _x_Constant(self, node, scope):
        v = node.value
        return lambda frame: v

    def _x_Name(self, node, scope):
        name = node.id
        where = scope.resolve(name)
        builtins = self.lib.BUILTINS
        site = self._site(node)

        def missing():
            hint = self.lib.name_hint(name)
            return ProgramRaise(ExcValue(self.lib.EXCEPTIONS["NameError"], (f"name '{name}' is not defined",),
                                         f"name '{name}' is not defined" + (f" ({hint})" if hint else "")),
                                site.line, site.col)

        if where[0] == "local":
            def load_local(frame):
                try:
                    return frame.vars[name]
                except KeyError:
                    raise ProgramRaise(ExcValue(self.lib.EXCEPTIONS["UnboundLocalError"], (),
                                                f"local variable '{name}' referenced before assignment"),
                                       site.line, site.col) from None
            return load_local
        if where[0] == "global":
            def load_global(frame):
                v = frame.globals.get(name, _MISSING)
                if v is _MISSING:
                    v = builtins.get(name, _MISSING)
                    if v is _MISSING:
                        raise missing()
                return v
            return load_global
        if where[0] == "free":
            depth = where[1]

            def load_free(frame):
                f = frame
                for _ in range(depth):
                    f = f.parent
                try:
                    return f.vars[name]
                except KeyError:
                    raise ProgramRaise(ExcValue(self.lib.EXCEPTIONS["NameError"], (),
                                                f"free variable '{name}' referenced before assignment"),
                                       site.line, site.col) from None
            return load_free
        fallback = where[1]

        def load_class(frame):
            v = frame.vars.get(name, _MISSING)
            if v is not _MISSING:
                return v
            if fallback[0] == "free":
                f = frame
                for _ in range(fallback[1]):
                    f = f.parent
                    if f is None:
                        break
                if f is not None and name in f.vars:
                    return f.vars[name]
            v = frame.globals.get(name, _MISSING)
            if v is _MISSING:
                v = builtins.get(name, _MISSING)
                if v is _MISSING:
                    raise missing()
            return v
        return load_class

    def _x_NamedExpr(self, node, scope):
        value = self._expr(node.value, scope)
        target_scope = scope
        while target_scope.kind == "comprehension":
            target_scope = target_scope.parent
        store = self._target(node.target, target_scope if target_scope is scope else scope)

        def run(frame):
            v = value(frame)
            store(frame, v)
            return v
        return run

    def _x_List(self, node, scope):
        items = self._items(node.elts, scope, node)
        return lambda frame: items(frame)

    def _x_Tuple(self, node, scope):
        items = self._items(node.elts, scope, node)
        return lambda frame: tuple(items(frame))

    def _x_Set(self, node, scope):
        items = self._items(node.elts, scope, node)
        return lambda frame: set(items(frame))

    def _items(self, elts, scope, node) -> Callable[[Frame], list]:
        if not any(isinstance(e, ast.Starred) for e in elts):
            fs = [self._expr(e, scope) for e in elts]
            return lambda frame: [f(frame) for f in fs]
        parts = [(True, self._expr(e.value, scope)) if isinstance(e, ast.Starred) else (False, self._expr(e, scope))
                 for e in elts]
        site = self._site(node)

        def run(frame):
            out = []
            for star, f in parts:
                if star:
                    out.extend(self.iterate(f(frame), site))
                    self.check_items(len(out), site)
                else:
                    out.append(f(frame))
            return out
        return run

    def _x_Dict(self, node, scope):
        parts = [(None if k is None else self._expr(k, scope), self._expr(v, scope)) for k, v in
                 zip(node.keys, node.values)]
        site = self._site(node)

        def run(frame):
            out = {}
            for k, v in parts:
                if k is None:
                    d = v(frame)
                    if not isinstance(d, dict):
                        raise TypeError(f"'{self.describe(d)}' object is not a mapping")
                    out.update(d)
                else:
                    out[self.lib.hashable(k(frame), site)] = v(frame)
            return out
        return run

    def _x_BinOp(self, node, scope):
        left = self._expr(node.left, scope)
        right = self._expr(node.right, scope)
        op = type(node.op).__name__
        site = self._site(node, [node.left, node.right])
        binary = self.binary
        pyop = _PYOPS[op]
        located = self._located
        checked = op in ("Pow", "Mult", "LShift")

        def run(frame):
            a = left(frame)
            b = right(frame)
            ta, tb = type(a), type(b)
            try:
                if (ta is int or ta is float) and (tb is int or tb is float) and not checked:
                    return pyop(a, b)
                return binary(op, a, b, site)
            except (ProgramRaise, ProgramError):
                raise
            except Exception as e:
                raise located(e, site) from None
        return run

    def _x_UnaryOp(self, node, scope):
        operand = self._expr(node.operand, scope)
        op = type(node.op).__name__
        site = self._site(node, [node.operand])
        if op == "Not":
            truth = self.truth
            return lambda frame: not truth(operand(frame))

        def run(frame):
            v = operand(frame)
            try:
                return self.unary(op, v, site)
            except (ProgramRaise, ProgramError):
                raise
            except Exception as e:
                raise self._located(e, site) from None
        return run

    def _x_BoolOp(self, node, scope):
        values = [self._expr(v, scope) for v in node.values]
        truth = self.truth
        if isinstance(node.op, ast.And):
            def run_and(frame):
                v = None
                for f in values:
                    v = f(frame)
                    if not truth(v):
                        return v
                return v
            return run_and

        def run_or(frame):
            v = None
            for f in values:
                v = f(frame)
                if truth(v):
                    return v
            return v
        return run_or

    def _x_Compare(self, node, scope):
        left = self._expr(node.left, scope)
        ops = [type(o).__name__ for o in node.ops]
        rights = [self._expr(c, scope) for c in node.comparators]
        site = self._site(node, [node.left] + node.comparators)
        compare = self.compare

        if len(ops) == 1:
            op, right = ops[0], rights[0]

            def run1(frame):
                a, b = left(frame), right(frame)
                try:
                    return compare(op, a, b, site)
                except (ProgramRaise, ProgramError):
                    raise
                except Exception as e:
                    raise self._located(e, site) from None
            return run1

        def run(frame):
            a = left(frame)
            result = True
            for op, right in zip(ops, rights):
                b = right(frame)
                try:
                    result = compare(op, a, b, site)
                except (ProgramRaise, ProgramError):
                    raise
                except Exception as e:
                    raise self._located(e, site) from None
                if not self.truth(result):
                    return result
                a = b
            return result
        return run

    def _x_IfExp(self, node, scope):
        test, body, orelse = self._expr(node.test, scope), self._expr(node.body, scope), self._expr(node.orelse, scope)
        truth = self.truth
        return lambda frame: body(frame) if truth(test(frame)) else orelse(frame)

    def _x_Lambda(self, node, scope):
        make = self._function(node, scope, "<lambda>", node.body, is_lambda=True)
        return make

    def _x_Attribute(self, node, scope):
        obj = self._expr(node.value, scope)
        attr = node.attr
        site = self._site(node)
        getattr_ = self.getattr

        def run(frame):
            o = obj(frame)
            try:
                return getattr_(o, attr, site)
            except (ProgramRaise, ProgramError):
                raise
            except Exception as e:
                raise self._located(e, site) from None
        return run

    def _x_Subscript(self, node, scope):
        obj = self._expr(node.value, scope)
        key = self._expr(node.slice, scope)
        site = self._site(node, [node.value, node.slice])
        getitem = self.getitem

        def run(frame):
            o = obj(frame)
            k = key(frame)
            try:
                return getitem(o, k, site)
            except (ProgramRaise, ProgramError):
                raise
            except Exception as e:
                raise self._located(e, site) from None
        return run

    def _x_Slice(self, node, scope):
        parts = [self._expr(p, scope) if p is not None else None for p in (node.lower, node.upper, node.step)]
        return lambda frame: slice(*(None if p is None else p(frame) for p in parts))

    def _x_Starred(self, node, scope):
        raise ProgramError("`*` unpacking works in calls and list displays only", node.lineno, node.col_offset + 1)

    def _x_JoinedStr(self, node, scope):
        parts = [self._expr(v, scope) if not isinstance(v, ast.Constant) else (lambda frame, s=v.value: s)
                 for v in node.values]
        site = self._site(node)

        def run(frame):
            text = "".join(p(frame) for p in parts)
            self.check_chars(len(text), site)
            return text
        return run

    def _x_FormattedValue(self, node, scope):
        value = self._expr(node.value, scope)
        spec = self._expr(node.format_spec, scope) if node.format_spec is not None else None
        conversion = node.conversion
        site = self._site(node)

        def run(frame):
            v = value(frame)
            try:
                if conversion == ord("r"):
                    v = self.to_repr(v)
                elif conversion == ord("s"):
                    v = self.to_str(v)
                elif conversion == ord("a"):
                    v = ascii(self.to_repr(v))
                return self.format_value(v, spec(frame) if spec is not None else "", site)
            except (ProgramRaise, ProgramError):
                raise
            except Exception as e:
                raise self._located(e, site) from None
        return run

    def _x_ListComp(self, node, scope):
        return self._comprehension(node, scope, "list")

    def _x_SetComp(self, node, scope):
        return self._comprehension(node, scope, "set")

    def _x_DictComp(self, node, scope):
        return self._comprehension(node, scope, "dict")

    def _x_GeneratorExp(self, node, scope):
        return self._comprehension(node, scope, "generator")

    def _comprehension(self, node, scope: Scope, kind: str) -> Callable:
        names = set()
        for gen in node.generators:
            names |= _target_names(gen.target)
        for sub in [node.elt] if kind != "dict" else [node.key, node.value]:
            pass
        inner = Scope("comprehension", scope, names)
        first_iter = self._expr(node.generators[0].iter, scope)
        gens = []
        for k, gen in enumerate(node.generators):
            it = None if k == 0 else self._expr(gen.iter, inner)
            gens.append((it, self._target(gen.target, inner), [self._expr(c, inner) for c in gen.ifs]))
        if kind == "dict":
            key, val = self._expr(node.key, inner), self._expr(node.value, inner)
            elt = lambda frame: (key(frame), val(frame))   # noqa: E731
        else:
            elt = self._expr(node.elt, inner)
        site = self._site(node)
        truth = self.truth
        tick = self._tick
        module_level = scope.kind == "module"

        def produce(frame, source):
            inner_frame = Frame({}, frame.globals, None if module_level and scope.kind == "module" else frame)
            if scope.kind == "class":
                inner_frame.parent = frame.parent

            def level(k, iterable):
                it, store, ifs = gens[k]
                for item in self.iterate(iterable, site):
                    tick(site)
                    store(inner_frame, item)
                    if all(truth(c(inner_frame)) for c in ifs):
                        if k + 1 == len(gens):
                            yield elt(inner_frame)
                        else:
                            yield from level(k + 1, gens[k + 1][0](inner_frame))
            return level(0, source)

        def run(frame):
            source = first_iter(frame)
            if kind == "generator":
                return self.lib.Generator(produce(frame, source))
            out = []
            for v in produce(frame, source):
                out.append(v)
                if len(out) > limits.MAX_TENSOR_ELEMENTS:
                    self.check_items(len(out), site)
            if kind == "list":
                return out
            if kind == "set":
                return {self.lib.hashable(v, site) for v in out}
            return {self.lib.hashable(k, site): v for k, v in out}
        return run

    def _x_Call(self, node, scope):
        func = self._expr(node.func, scope)
        site = self._site(node, node.args, node.keywords)
        simple = not any(isinstance(a, ast.Starred) for a in node.args) and all(k.arg for k in node.keywords)
        call = self.call
        located = self._located
        if simple:
            args = [self._expr(a, scope) for a in node.args]
            kws = [(k.arg, self._expr(k.value, scope)) for k in node.keywords]

            def run(frame):
                f = func(frame)
                a = [x(frame) for x in args]
                kw = {k: x(frame) for k, x in kws} if kws else {}
                try:
                    return call(f, a, kw, site)
                except (ProgramRaise, ProgramError):
                    raise
                except Exception as e:
                    raise located(e, site) from None
            return run
        parts = [(isinstance(a, ast.Starred), self._expr(a.value if isinstance(a, ast.Starred) else a, scope))
                 for a in node.args]
        kparts = [(k.arg, self._expr(k.value, scope)) for k in node.keywords]

        def run_star(frame):
            f = func(frame)
            a = []
            for star, x in parts:
                if star:
                    a.extend(self.iterate(x(frame), site))
                    self.check_items(len(a), site, "arguments")
                else:
                    a.append(x(frame))
            kw = {}
            for k, x in kparts:
                if k is None:
                    d = x(frame)
                    if not isinstance(d, dict):
                        raise TypeError(f"argument after ** must be a mapping, not {self.describe(d)}")
                    for dk, dv in d.items():
                        if not isinstance(dk, str):
                            raise TypeError("keywords must be strings")
                        if dk in kw:
                            raise TypeError(f"got multiple values for keyword argument '{dk}'")
                        kw[dk] = dv
                else:
                    if k in kw:
                        raise TypeError(f"got multiple values for keyword argument '{k}'")
                    kw[k] = x(frame)
            try:
                return call(f, a, kw, site)
            except (ProgramRaise, ProgramError):
                raise
            except Exception as e:
                raise located(e, site) from None
        return run_star

    # ---- the runtime: calls -------------------------------------------------------------------------------------

    def call(self, f: Any, args: list, kwargs: dict, site: Site | None) -> Any:
        t = type(f)
        if t is OpCallable:
            return self.rec.call(f.spec, tuple(args), kwargs, site or _NOWHERE)
        if t is Function:
            return self.call_function(f, args, kwargs, site)
        if t is BoundMethod:
            return self.call_function(f.func, [f.obj, *args], kwargs, site) if isinstance(f.func, Function) \
                else self.call(f.func, [f.obj, *args], kwargs, site)
        if t is Builtin:
            return f.fn(self, args, kwargs, site or _NOWHERE)
        if t is Class:
            return self.lib.instantiate(self, f, args, kwargs, site or _NOWHERE)
        if t is ExcClass:
            if kwargs:
                raise TypeError(f"{f.name}() takes no keyword arguments")
            return ExcValue(f, tuple(args), self.to_str(args[0]) if len(args) == 1 else None)
        if t is Instance:
            method, _ = f.cls.lookup("__call__")
            if method is _MISSING and f.cls.native is not None:
                native = self.lib.native_call(self, f, args, kwargs, site or _NOWHERE)
                if native is not _MISSING:
                    return native
            if method is _MISSING:
                raise TypeError(f"'{f.cls.name}' object is not callable")
            return self.call(self._bind_attr(method, f), args, kwargs, site)
        if isinstance(f, TypeInfo) and f.convert is not None:
            return f.convert(self, args, kwargs, site or _NOWHERE)
        native = self.lib.native_call(self, f, args, kwargs, site or _NOWHERE)
        if native is not _MISSING:
            return native
        raise TypeError(f"'{self.describe(f)}' object is not callable")

    def call_function(self, fn: Function, args: list, kwargs: dict, site: Site | None) -> Any:
        if self.depth >= limits.MAX_CALL_DEPTH:
            s = site or _NOWHERE
            raise LimitError(f"more than {limits.MAX_CALL_DEPTH} nested calls: is a function calling itself "
                             "without end?", s.line, s.col)
        self.calls_made += 1
        if self.calls_made & 255 == 0:
            self._check_limits(site or _NOWHERE)
        frame = Frame(fn.params.bind(fn.name, args, kwargs, fn.defaults, fn.kwdefaults), fn.globals, fn.closure, fn,
                      args[0] if args else _MISSING)
        saved_scope, saved_frame = self.scope, self.frame
        self.scope = saved_scope + (f"{fn.label}#{self.calls_made}",)
        if fn.owner is not None and fn.name == "call":
            layer = self.lib.call_scope(fn, args)
            if layer is not None and not any(e.startswith(layer + "#") for e in saved_scope):
                self.scope = saved_scope + (f"{layer}#{self.calls_made}", f"{fn.label}#{self.calls_made}")
        self.frame = frame
        self.depth += 1
        try:
            for name, v in frame.vars.items():
                if type(v) is EagerTensor or isinstance(v, tf.Variable):
                    self.rec.name(name, v)
            r = fn.body(frame)
        except ProgramRaise as e:
            if len(e.calls) < 8:
                e.calls.append((fn.label, site.line if site else 0))
            raise
        finally:
            self.depth -= 1
            self.scope, self.frame = saved_scope, saved_frame
        if fn.is_lambda:
            return r
        r = r.value if isinstance(r, _Return) else None
        return self.lib.traced_outputs(self, r, site or _NOWHERE) if fn.traced else r

    # ---- the runtime: attributes and items ----------------------------------------------------------------------

    def _bind_attr(self, v: Any, obj: Any) -> Any:
        if isinstance(v, Function):
            return BoundMethod(v, obj)
        if isinstance(v, StaticMethod):
            return v.func
        if isinstance(v, ClassMethod):
            return BoundMethod(v.func, obj.cls if isinstance(obj, Instance) else obj)
        if isinstance(v, Property):
            return self.call(v.getter, [obj], {}, None)
        return v

    def getattr(self, obj: Any, name: str, site: Site) -> Any:
        t = type(obj)
        if t is Instance:
            if name in obj.attrs:
                return obj.attrs[name]
            v, _ = obj.cls.lookup(name)
            if v is not _MISSING:
                return self._bind_attr(v, obj)
            native = self.lib.native_attr(self, obj, name, site)
            if native is not _MISSING:
                return native
            raise AttributeError(f"'{obj.cls.name}' object has no attribute '{name}'")
        if t is Namespace:
            v = obj.table.get(name, _MISSING)
            if v is _MISSING:
                raise AttributeError(self.lib.missing_in_module(obj, name))
            return v
        if t is Class:
            if name == "__name__":
                return obj.name
            v, _ = obj.lookup(name)
            if v is _MISSING:
                raise AttributeError(f"type object '{obj.name}' has no attribute '{name}'")
            if isinstance(v, StaticMethod):
                return v.func
            if isinstance(v, ClassMethod):
                return BoundMethod(v.func, obj)
            return v
        if t is Super:
            return self.lib.super_attr(self, obj, name, site)
        if name.startswith("_") and name != "__name__":
            raise AttributeError(f"attributes starting with `_` are not available on {self.describe(obj)}")
        return self.lib.value_attr(self, obj, name, site)

    def setattr(self, obj: Any, name: str, value: Any, site: Site, label: str = "") -> None:
        if type(obj) is Instance:
            v, _ = obj.cls.lookup(name)
            if isinstance(v, Property):
                if v.setter is None:
                    raise AttributeError(f"property '{name}' of '{obj.cls.name}' object has no setter")
                self.call(v.setter, [obj, value], {}, site)
                return
            if not self.lib.native_setattr(self, obj, name, value, site):
                obj.attrs[name] = value
            if label and (type(value) is EagerTensor or isinstance(value, tf.Variable)):
                self.rec.name(label, value)
            return
        if type(obj) is Class:
            obj.ns[name] = value
            return
        if type(obj) is Function and name in ("label",):
            return
        if self.lib.native_setattr_value(self, obj, name, value):
            return
        raise AttributeError(f"cannot set the attribute `{name}` of {self.describe(obj)}")

    def delattr(self, obj: Any, name: str) -> None:
        if type(obj) is Instance and name in obj.attrs:
            del obj.attrs[name]
            return
        raise AttributeError(f"cannot delete the attribute `{name}` of {self.describe(obj)}")

    def getitem(self, obj: Any, key: Any, site: Site) -> Any:
        t = type(obj)
        if t is list or t is tuple or t is str or t is range or t is dict:
            if t is dict:
                return obj[self.lib.hashable(key, site)]
            if isinstance(key, (EagerTensor, tf.Variable, np.ndarray)) and t is not dict:
                key = self.lib.as_index(key)
            return obj[key]
        if t is EagerTensor or isinstance(obj, tf.Variable):
            return self.rec.getitem(obj, key, site)
        if isinstance(obj, (np.ndarray, np.generic)):
            return self.lib.numpy_getitem(self, obj, key, site)
        if t is Instance:
            method, _ = obj.cls.lookup("__getitem__")
            if method is _MISSING:
                native = self.lib.native_getitem(self, obj, key, site)
                if native is not _MISSING:
                    return native
                raise TypeError(f"'{obj.cls.name}' object is not subscriptable")
            return self.call(BoundMethod(method, obj), [key], {}, site)
        return self.lib.other_getitem(self, obj, key, site)

    def setitem(self, obj: Any, key: Any, value: Any, site: Site) -> None:
        t = type(obj)
        if t is list:
            if isinstance(key, slice):
                value = list(self.iterate(value, site))
            obj[key] = value
            return
        if t is dict:
            obj[self.lib.hashable(key, site)] = value
            if len(obj) > limits.MAX_TENSOR_ELEMENTS:
                self.check_items(len(obj), site)
            return
        if t is np.ndarray:
            self.lib.numpy_setitem(self, obj, key, value, site)
            return
        if t is Instance:
            method, _ = obj.cls.lookup("__setitem__")
            if method is not _MISSING:
                self.call(BoundMethod(method, obj), [key, value], {}, site)
                return
        if self.lib.other_setitem(self, obj, key, value, site):
            return
        if t is EagerTensor:
            raise TypeError("'tensorflow.python.framework.ops.EagerTensor' object does not support item assignment "
                            "(tensors are immutable: make it a tf.Variable and write `v[0, 0].assign(0.)`)")
        if isinstance(obj, tf.Variable):
            raise TypeError(f"'{type(obj).__name__}' object does not support item assignment (write "
                            "`v[0, 0].assign(0.)`)")
        raise TypeError(f"'{self.describe(obj)}' object does not support item assignment")

    def delitem(self, obj: Any, key: Any, site: Site) -> None:
        if type(obj) in (list, dict):
            del obj[key if type(obj) is list else self.lib.hashable(key, site)]
            return
        raise TypeError(f"'{self.describe(obj)}' object does not support item deletion")

    # ---- the runtime: operators --------------------------------------------------------------------------------

    def binary(self, op: str, a: Any, b: Any, site: Site) -> Any:
        ta, tb = type(a), type(b)
        if op == "Mod" and ta is str:           # "%s" % w: the string formats first, as in Python
            return self.lib.percent_format(self, a, b, site)
        if ta is EagerTensor or tb is EagerTensor or isinstance(a, tf.Variable) or isinstance(b, tf.Variable):
            if ta is Instance or tb is Instance:
                r = self._dunder_binary(op, a, b, site)
                if r is not NotImplemented:
                    return r
            spec = BINARY_OPERATORS.get(op)
            if spec is None:
                raise TypeError(f"unsupported operand type(s) for {_SYMBOL[op]}: tensors")
            return self.rec.call_bound(spec, {"a": a, "b": b}, site)
        if ta is Instance or tb is Instance:
            r = self._dunder_binary(op, a, b, site)
            if r is not NotImplemented:
                return r
            raise TypeError(f"unsupported operand type(s) for {_SYMBOL[op]}: '{self.describe(a)}' and "
                            f"'{self.describe(b)}'")
        self.lib.check_binary(self, op, a, b, site)
        result = _PYOPS[op](a, b)
        if isinstance(result, np.ndarray):
            self.check_items(result.size, site)
            self.rec.note_numpy(result, [a, b], _SYMBOL[op])
        elif isinstance(result, (str, list, tuple)) and len(result) > 65536:
            (self.check_chars if isinstance(result, str) else self.check_items)(len(result), site)
        return result

    def inplace(self, op: str, a: Any, b: Any, site: Site) -> Any:
        """`a op= b`: lists, dicts and NumPy arrays change in place, as in Python; a tf.Variable refuses, as
        in TensorFlow."""
        if isinstance(a, tf.Variable):
            fn = _INPLACE.get(op)
            if fn is not None:
                fn(a, b)               # TensorFlow's own refusal, with its message
        if type(a) is list and op == "Add":
            items = list(self.iterate(b, site))
            self.check_items(len(a) + len(items), site)
            a.extend(items)
            return a
        if type(a) is np.ndarray and type(b) is not EagerTensor and not isinstance(b, tf.Variable) and op in _INPLACE:
            self.lib.check_binary(self, op, a, b, site)
            return _INPLACE[op](a, b)
        if type(a) is Instance:
            method, _ = a.cls.lookup(_INPLACE_DUNDER.get(op, ""))
            if method is not _MISSING:
                return self.call(BoundMethod(method, a), [b], {}, site)
        return self.binary(op, a, b, site)

    def _dunder_binary(self, op: str, a: Any, b: Any, site: Site) -> Any:
        name, rname = _DUNDERS.get(op, (None, None))
        if name is None:
            return NotImplemented
        if type(a) is Instance:
            m, _ = a.cls.lookup(name)
            if m is not _MISSING:
                r = self.call(self._bind_attr(m, a), [b], {}, site)
                if r is not NotImplemented and r is not self.lib.NOT_IMPLEMENTED:
                    return r
        if type(b) is Instance:
            m, _ = b.cls.lookup(rname)
            if m is not _MISSING:
                r = self.call(self._bind_attr(m, b), [a], {}, site)
                if r is not NotImplemented and r is not self.lib.NOT_IMPLEMENTED:
                    return r
        return NotImplemented

    def unary(self, op: str, v: Any, site: Site) -> Any:
        t = type(v)
        if t is EagerTensor or isinstance(v, tf.Variable):
            return self.rec.call_bound(UNARY_OPERATORS[op], {"a": v}, site)
        if t is Instance:
            m, _ = v.cls.lookup({"USub": "__neg__", "UAdd": "__pos__", "Invert": "__invert__"}[op])
            if m is _MISSING:
                raise TypeError(f"bad operand type for unary {_SYMBOL[op]}: '{v.cls.name}'")
            return self.call(self._bind_attr(m, v), [], {}, site)
        if op == "Invert" and isinstance(v, bool):
            return ~v
        result = {"USub": operator.neg, "UAdd": operator.pos, "Invert": operator.invert}[op](v)
        if isinstance(result, np.ndarray):
            self.rec.note_numpy(result, [v], _SYMBOL[op])
        return result

    def compare(self, op: str, a: Any, b: Any, site: Site) -> Any:
        if op == "Is":
            return a is b
        if op == "IsNot":
            return a is not b
        if op in ("In", "NotIn"):
            r = self._contains(b, a, site)
            return r if op == "In" else not r
        ta, tb = type(a), type(b)
        if ta is EagerTensor or tb is EagerTensor or isinstance(a, tf.Variable) or isinstance(b, tf.Variable):
            if ta is Instance or tb is Instance:
                r = self._dunder_compare(op, a, b, site)
                if r is not NotImplemented:
                    return r
            if b is None or a is None:
                return _PYOPS[op](a, b)
            return self.rec.call_bound(COMPARE_OPERATORS[op], {"a": a, "b": b}, site)
        if ta is Instance or tb is Instance:
            r = self._dunder_compare(op, a, b, site)
            if r is not NotImplemented:
                return r
            if op in ("Eq", "NotEq"):
                return (a is b) == (op == "Eq")
            raise TypeError(f"'{_SYMBOL[op]}' not supported between instances of '{self.describe(a)}' and "
                            f"'{self.describe(b)}'")
        result = _PYOPS[op](a, b)
        if isinstance(result, np.ndarray):
            self.rec.note_numpy(result, [a, b], _SYMBOL[op])
        return result

    def _dunder_compare(self, op: str, a: Any, b: Any, site: Site) -> Any:
        name, reflected = _COMPARE_DUNDERS[op]
        for obj, other, n in ((a, b, name), (b, a, reflected)):
            if type(obj) is Instance:
                m, _ = obj.cls.lookup(n)
                if m is not _MISSING:
                    r = self.call(self._bind_attr(m, obj), [other], {}, site)
                    if r is not NotImplemented and r is not self.lib.NOT_IMPLEMENTED:
                        return r
        return NotImplemented

    def _contains(self, container: Any, item: Any, site: Site) -> bool:
        t = type(container)
        if t in (list, tuple, set, frozenset, dict, str, range) or isinstance(container, np.ndarray):
            if t in (set, frozenset, dict):
                return self.lib.hashable(item, site) in container
            return item in container
        if t is Instance:
            m, _ = container.cls.lookup("__contains__")
            if m is not _MISSING:
                return self.truth(self.call(BoundMethod(m, container), [item], {}, site))
            return any(self.truth(self.compare("Eq", x, item, site)) for x in self.iterate(container, site))
        if t is EagerTensor or isinstance(container, tf.Variable):
            raise TypeError("`in` on a tensor is not supported here: use tf.reduce_any(t == x)")
        return item in self.lib.native_container(container)

    def truth(self, v: Any) -> bool:
        t = type(v)
        if t is bool:
            return v
        if t is Instance:
            for name in ("__bool__", "__len__"):
                m, _ = v.cls.lookup(name)
                if m is not _MISSING:
                    r = self.call(BoundMethod(m, v), [], {}, None)
                    return bool(r) if name == "__bool__" else r != 0
            return self.lib.native_truth(v)
        if t in (Function, BoundMethod, Class, Builtin, OpCallable, Namespace, TapeRef):
            return True
        return bool(v)

    # ---- the runtime: iteration, with, strings ---------------------------------------------------------------

    def iterate(self, v: Any, site: Site | None, limit: int | None = None):
        """A Python iterator over a program value, counting against the step limit."""
        t = type(v)
        if t is list or t is tuple or t is range or t is str or t is dict or t is set:
            return self._ticking(iter(v), site)
        if t is EagerTensor or isinstance(v, tf.Variable):
            return self._iterate_tensor(v, site or _NOWHERE)
        if t is np.ndarray:
            if v.ndim == 0:
                raise TypeError("iteration over a 0-d array")
            return self._ticking(iter(v), site)
        if t is Instance:
            return self._iterate_instance(v, site or _NOWHERE)
        if isinstance(v, tuple) and hasattr(t, "_fields"):     # TensorFlow's named results: top_k, unique, moments
            return self._ticking(iter(v), site)
        it = self.lib.native_iter(self, v)
        if it is _MISSING:
            raise TypeError(f"'{self.describe(v)}' object is not iterable")
        return self._ticking(it, site)

    def _ticking(self, it, site: Site | None):
        s = site or _NOWHERE
        tick = self._tick
        for item in it:
            tick(s)
            yield item

    def _iterate_tensor(self, v: Any, site: Site):
        shape = v.shape
        if shape.rank == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        for i in range(int(shape[0]) if shape[0] is not None else 0):
            self._tick(site)
            yield self.rec.getitem(v, i, site)

    def _iterate_instance(self, v: Instance, site: Site):
        m, _ = v.cls.lookup("__iter__")
        if m is not _MISSING:
            it = self.call(BoundMethod(m, v), [], {}, site)
            if type(it) is Instance:
                nxt, _ = it.cls.lookup("__next__")
                if nxt is _MISSING:
                    raise TypeError(f"iter() returned non-iterator of type '{it.cls.name}'")
                while True:
                    self._tick(site)
                    try:
                        yield self.call(BoundMethod(nxt, it), [], {}, site)
                    except ProgramRaise as e:
                        if e.type_name == "StopIteration":
                            return
                        raise
            else:
                yield from self.iterate(it, site)
            return
        g, _ = v.cls.lookup("__getitem__")
        if g is not _MISSING:
            for i in itertools.count():
                self._tick(site)
                try:
                    yield self.call(BoundMethod(g, v), [i], {}, site)
                except ProgramRaise as e:
                    if e.type_name in ("IndexError", "StopIteration"):
                        return
                    raise
            return
        native = self.lib.native_iter(self, v)
        if native is _MISSING:
            raise TypeError(f"'{v.cls.name}' object is not iterable")
        yield from self._ticking(native, site)

    def enter(self, value: Any, site: Site) -> Any:
        return self.lib.enter_context(self, value, site)

    def leave(self, value: Any) -> None:
        self.lib.leave_context(self, value)

    def to_str(self, v: Any) -> str:
        return self.lib.to_str(self, v)

    def to_repr(self, v: Any) -> str:
        return self.lib.to_repr(self, v)

    def format_value(self, v: Any, spec: str, site: Site) -> str:
        return self.lib.format_value(self, v, spec, site)

    def print(self, text: str) -> None:
        if self.output_chars > limits.MAX_OUTPUT_CHARS:
            return
        self.output_chars += len(text)
        if self.output_chars > limits.MAX_OUTPUT_CHARS:
            text = text[:max(0, len(text) - (self.output_chars - limits.MAX_OUTPUT_CHARS))] + \
                f"\n… (output cut at {limits.MAX_OUTPUT_CHARS:,} characters)"
        self.output.extend(text.split("\n"))


# ---- parameters of the program's functions ---------------------------------------------------------------

class _Params:
    __slots__ = ("positional", "names", "vararg", "kwonly", "kwarg", "posonly")

    def __init__(self, args: ast.arguments):
        self.posonly = [a.arg for a in args.posonlyargs]
        self.positional = self.posonly + [a.arg for a in args.args]
        self.vararg = args.vararg.arg if args.vararg else None
        self.kwonly = [a.arg for a in args.kwonlyargs]
        self.kwarg = args.kwarg.arg if args.kwarg else None
        self.names = self.positional + self.kwonly + [n for n in (self.vararg, self.kwarg) if n]

    def bind(self, fname: str, args: list, kwargs: dict, defaults: tuple, kwdefaults: dict) -> dict:
        pos = self.positional
        n = len(pos)
        out: dict[str, Any] = {}
        if len(args) > n:
            if self.vararg is None:
                raise TypeError(f"{fname}() takes {n} positional argument{'s' if n != 1 else ''} but {len(args)} "
                                f"{'were' if len(args) != 1 else 'was'} given")
            out[self.vararg] = tuple(args[n:])
            args = args[:n]
        elif self.vararg is not None:
            out[self.vararg] = ()
        for name, v in zip(pos, args):
            out[name] = v
        extra = {}
        for k, v in kwargs.items():
            if k in out and k != self.vararg:
                raise TypeError(f"{fname}() got multiple values for argument '{k}'")
            if (k in pos and k not in self.posonly) or k in self.kwonly:
                out[k] = v
            elif self.kwarg is not None:
                extra[k] = v
            else:
                raise TypeError(f"{fname}() got an unexpected keyword argument '{k}'")
        if len(out) - (1 if self.vararg else 0) < n + len(self.kwonly):
            first_default = n - len(defaults)
            missing = []
            for i, name in enumerate(pos):
                if name not in out:
                    if i >= first_default:
                        out[name] = defaults[i - first_default]
                    else:
                        missing.append(name)
            if missing:
                raise TypeError(f"{fname}() missing {len(missing)} required positional argument"
                                f"{'s' if len(missing) > 1 else ''}: " + " and ".join(f"'{m}'" for m in missing))
            for name in self.kwonly:
                if name not in out:
                    if name in kwdefaults:
                        out[name] = kwdefaults[name]
                    else:
                        raise TypeError(f"{fname}() missing 1 required keyword-only argument: '{name}'")
        if self.kwarg is not None:
            out[self.kwarg] = extra
        return out


# ---- static helpers ---------------------------------------------------------------------------------------

def _walk_own(body) -> list:
    """Nodes of a function body, not descending into nested functions, classes or lambdas."""
    out, stack = [], list(body) if isinstance(body, list) else [body]
    while stack:
        n = stack.pop()
        out.append(n)
        for child in ast.iter_child_nodes(n):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                out.append(child)
                continue
            stack.append(child)
    return out


def _target_names(node) -> set[str]:
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, (ast.Tuple, ast.List)):
        return set().union(*(_target_names(e) for e in node.elts)) if node.elts else set()
    if isinstance(node, ast.Starred):
        return _target_names(node.value)
    return set()


def _bound_names(body) -> set[str]:
    names: set[str] = set()
    for n in _walk_own(body):
        if isinstance(n, (ast.FunctionDef, ast.ClassDef)):
            names.add(n.name)
        elif isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            names.add(n.id)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            for a in n.names:
                names.add(a.asname or a.name.split(".")[0])
        elif isinstance(n, ast.ExceptHandler) and n.name:
            names.add(n.name)
    # names bound only inside comprehensions belong to the comprehension
    for n in _walk_own(body):
        if isinstance(n, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            for gen in n.generators:
                for name in _target_names(gen.target):
                    if not _stored_outside_comprehensions(body, name):
                        names.discard(name)
    return names


def _stored_outside_comprehensions(body, name: str) -> bool:
    stack = list(body) if isinstance(body, list) else [body]
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.FunctionDef, ast.ClassDef,
                          ast.Lambda)):
            continue
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store):
            return True
        stack.extend(ast.iter_child_nodes(n))
    return False


def _bound_in_expr(node) -> set[str]:
    return {n.target.id for n in ast.walk(node) if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name)}


def _declared(body) -> tuple[set[str], set[str]]:
    g, nl = set(), set()
    for n in _walk_own(body):
        if isinstance(n, ast.Global):
            g.update(n.names)
        elif isinstance(n, ast.Nonlocal):
            nl.update(n.names)
    return g, nl


def is_shorthand(tree: ast.Module) -> bool:
    """A bare expression program: assignments of numbers (and simple expressions), then an expression,
    with no block statements, imports or definitions anywhere."""
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return False
    if any(isinstance(s, (ast.With, ast.For, ast.While, ast.If, ast.FunctionDef, ast.ClassDef, ast.Import,
                          ast.ImportFrom, ast.Try)) for s in tree.body):
        return False
    if not any(isinstance(s, ast.Assign) and _number_like(s.value) for s in tree.body[:-1]):
        return False
    last = tree.body[-1].value
    if isinstance(last, ast.Call) and isinstance(last.func, (ast.Name, ast.Attribute)):
        if isinstance(last.func, ast.Name) or last.func.attr in ("watch", "assign", "assign_add", "assign_sub"):
            return False
    if isinstance(last, (ast.JoinedStr, ast.Constant, ast.Compare, ast.Attribute)):
        return False
    return True


def _number_like(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _number_like(node.operand)
    if isinstance(node, ast.List):
        return bool(node.elts) and all(_number_like(e) for e in node.elts)
    return False


def _silenced(source: str, stmt: ast.stmt) -> bool:
    """A notebook cell's last line ending in `;` shows nothing."""
    lines = source_lines(source)
    if stmt.end_lineno is None or stmt.end_lineno > len(lines):
        return False
    rest = lines[stmt.end_lineno - 1].encode("utf-8")[stmt.end_col_offset:].decode("utf-8", "replace")
    return rest.split("#")[0].strip().startswith(";")


def _is_print(stmt: ast.Expr) -> bool:
    v = stmt.value
    return isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id == "print"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 48 else text[:45] + "..."


def _message(e: BaseException) -> str:
    """The exception's text as `str(e)` gives it (what a program that catches it prints)."""
    text = str(e)
    return text if len(text) <= 4000 else text[:4000] + "..."


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    first = lines[0] if lines else ""
    if "{{" in first:          # TensorFlow's op errors carry a "{{function_node ...}}" prefix
        first = first.split("}}")[-1].strip()
    return first[:400]


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096 / 2 ** 20
    except (OSError, ValueError, IndexError):
        return 0.0


_NOWHERE = Site(0, 0, "")

_PYOPS = {"Add": operator.add, "Sub": operator.sub, "Mult": operator.mul, "Div": operator.truediv,
          "FloorDiv": operator.floordiv, "Mod": operator.mod, "Pow": operator.pow, "MatMult": operator.matmul,
          "LShift": operator.lshift, "RShift": operator.rshift, "BitAnd": operator.and_, "BitOr": operator.or_,
          "BitXor": operator.xor, "Lt": operator.lt, "LtE": operator.le, "Gt": operator.gt, "GtE": operator.ge,
          "Eq": operator.eq, "NotEq": operator.ne}
_INPLACE = {"Add": operator.iadd, "Sub": operator.isub, "Mult": operator.imul, "Div": operator.itruediv,
            "FloorDiv": operator.ifloordiv, "Mod": operator.imod, "Pow": operator.ipow,
            "MatMult": operator.imatmul}
_INPLACE_DUNDER = {"Add": "__iadd__", "Sub": "__isub__", "Mult": "__imul__", "Div": "__itruediv__"}
_SYMBOL = {"Add": "+", "Sub": "-", "Mult": "*", "Div": "/", "FloorDiv": "//", "Mod": "%", "Pow": "**",
           "MatMult": "@", "LShift": "<<", "RShift": ">>", "BitAnd": "&", "BitOr": "|", "BitXor": "^",
           "Lt": "<", "LtE": "<=", "Gt": ">", "GtE": ">=", "Eq": "==", "NotEq": "!=", "USub": "-", "UAdd": "+",
           "Invert": "~"}
_DUNDERS = {"Add": ("__add__", "__radd__"), "Sub": ("__sub__", "__rsub__"), "Mult": ("__mul__", "__rmul__"),
            "Div": ("__truediv__", "__rtruediv__"), "FloorDiv": ("__floordiv__", "__rfloordiv__"),
            "Mod": ("__mod__", "__rmod__"), "Pow": ("__pow__", "__rpow__"), "MatMult": ("__matmul__", "__rmatmul__")}
_COMPARE_DUNDERS = {"Lt": ("__lt__", "__gt__"), "LtE": ("__le__", "__ge__"), "Gt": ("__gt__", "__lt__"),
                    "GtE": ("__ge__", "__le__"), "Eq": ("__eq__", "__eq__"), "NotEq": ("__ne__", "__ne__")}


class SourceText:
    """Source segments by ast position, with the lines split once (ast.get_source_segment re-splits
    the whole source on every call, which is quadratic in program length)."""

    def __init__(self, source: str):
        self.lines = [line.encode("utf-8") for line in source_lines(source, keepends=True)]

    def segment(self, node: ast.AST) -> str:
        try:
            l0, l1 = node.lineno - 1, node.end_lineno - 1
            c0, c1 = node.col_offset, node.end_col_offset
        except (AttributeError, TypeError):
            return ""
        if l0 < 0 or l1 >= len(self.lines):
            return ""
        if l0 == l1:
            return self.lines[l0][c0:c1].decode("utf-8", "replace")
        parts = [self.lines[l0][c0:]] + self.lines[l0 + 1:l1] + [self.lines[l1][:c1]]
        return b"".join(parts).decode("utf-8", "replace")


__all__ = ["Interpreter", "Outcome", "is_shorthand", "SourceText", "Frame"]
_ = (math, BoundMethod)
