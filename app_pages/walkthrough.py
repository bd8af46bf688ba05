"""Backprop step-through: the forward pass op by op, then the chain rule edge by edge — stepped in the
browser, every step laid out once."""

import pandas as pd
import streamlit as st

from explorer.codegen import HIGHER_ORDER_CODE
from explorer.page_settings import SPEEDS, WALKTHROUGH as S
from explorer.render import fmt
from explorer.stepper import modes_summary, paths_table, watched_note
from explorer.views import ViewError
from app_pages import _links as links
from app_pages._components import stepper
from app_pages._runs import FitProgress, pick_recording, run_or_last_good, show_error, shown_recording
from app_pages._shared import cached_checks, cached_higher, example_picker, heatmap, view, wrapped_table
from app_pages._warm import cached_frames

FROM_GRAPH = "(the program from the Graph page)"


def restart() -> None:
    """A new program or target starts at step 1."""
    st.session_state[S.key("step")] = 1


def new_program() -> None:
    """Another program starts at step 1 of its own last recording (not at the number the previous one was on)."""
    restart()
    st.session_state[S.key("recording")] = 0


def from_graph() -> None:
    """The Graph page's program comes with its dtype and seed."""
    new_program()
    if st.session_state.get(f"{S.prefix}example") == FROM_GRAPH:
        _, st.session_state[S.key("dtype")], st.session_state[S.key("seed")] = st.session_state.graph_handoff


links.restore(S)
links.presentation_css()
head, toggle = st.columns([3, 1], vertical_alignment="center")
head.markdown("### Backprop step-through")
with toggle:
    links.presentation_toggle()
with st.sidebar:
    extra = {FROM_GRAPH: st.session_state.graph_handoff[0]} if "graph_handoff" in st.session_state else {}
    if links.shown(S, "example"):
        example_picker(S, extra=extra, on_pick=from_graph)
    if links.shown(S, "dtype"):
        st.radio("Float dtype", ["float32", "float64"], key=S.key("dtype"), horizontal=True, on_change=restart)
if links.shown(S, "program"):
    with st.expander("Program — edit or paste your own (Ctrl+Enter runs it)", expanded=False):
        st.text_area("Program", key=S.key("program"), height=220, on_change=new_program,
                     label_visibility="collapsed")

source, dtype, seed = (st.session_state[S.key(k)] for k in ("program", "dtype", "seed"))
run, error = run_or_last_good(source, dtype, seed, "wt_last_good")
if error is not None:
    show_error(source, error, run is not None)
if run is None:
    links.publish(S)
    st.stop()
with st.sidebar:
    run = pick_recording(run, S.key("recording"), on_change=restart)
targets = run.targets()
if not targets:
    st.info("Nothing is differentiated: compute a value inside `with tf.GradientTape() as tape:` or end with "
            "a bare expression.")
    links.publish(S)
    st.stop()
if st.session_state.get(S.key("target")) not in targets:
    st.session_state[S.key("target")] = targets[0]
with st.sidebar:
    if links.shown(S, "speed"):
        st.selectbox("Play speed", list(SPEEDS), key=S.key("speed"))
    if links.shown(S, "quiz"):
        st.toggle("Quiz mode", key=S.key("quiz"), help="Each scalar backward step hides its contribution until "
                                                        "you type it.")
    if links.shown(S, "target"):
        st.selectbox("Target (differentiate this)", targets, key=S.key("target"), on_change=restart)
target = st.session_state[S.key("target")]
links.publish(S)        # every setting is final here: the address bar changes before the steps are drawn
graph = run.graph_for(target)
with view("step-through"):
    bar = FitProgress()                 # a long walkthrough (the 2-2-2 network: 75 steps) shows how far it is
    try:
        fr = cached_frames(run, target, progress=bar)
    except ViewError as e:
        st.info(str(e))
    else:
        stepper(fr, key="wt-stepper", start=int(st.session_state[S.key("step")]) - 1,
                speed=SPEEDS[st.session_state[S.key("speed")]], quiz=bool(st.session_state[S.key("quiz")]))
    finally:
        bar.done()
links.link_errors(S)
st.caption("**What am I looking at?** Backpropagation one step at a time. The **forward pass** computes every "
           "value, op by op; the **backward pass** starts from the target (its gradient is 1) and on each edge "
           "multiplies *upstream gradient × local derivative = contribution*; a value that feeds several ops sums "
           "their contributions. Every number is TensorFlow's. Keys: → PageDown Space next, ← PageUp back.")

tname = graph.nodes[graph.target].label


def paths_panel() -> None:
    leaves = [n for n in graph.nodes if n.is_leaf and n.kind != "literal" and graph.gradients.get(n.index) is not None]
    if not leaves:
        st.info(f"No leaf has a gradient with respect to {tname}.")
        return
    leaf = st.selectbox("Leaf", [n.label for n in leaves], key="wt_leaf")
    table = paths_table(graph, next(n for n in leaves if n.label == leaf).index)
    st.markdown(table.intro)
    wrapped_table(table.rows)
    if table.more:
        st.caption(table.more)
    st.markdown(table.verdict)


def answers_panel() -> None:
    st.markdown("Three ways to the same gradient: **TensorFlow** (reverse-mode autodiff), a **central finite "
                "difference** (the program re-run with the input nudged by ±h, h ≈ ε^⅓ for the dtype), and for "
                "scalar programs **sympy**'s symbolic derivative.")
    for c in cached_checks(run.source, run.dtype, run.seed, target, shown_recording(run), _run=run):
        badge = {True: ":green-badge[agree]", False: ":red-badge[differ]", None: ":gray-badge[not compared]"}[c.agree]
        st.markdown(f"**∂{tname}/∂{c.source}** {badge} — TensorFlow {fmt(c.tensorflow)} · finite difference "
                    f"{fmt(c.finite_difference)} (h = {c.step:.2g}) · sympy {fmt(c.symbolic)}")
        if c.symbolic_latex:
            st.latex(c.symbolic_latex)
        if c.note:
            st.caption(c.note)


def higher_panel() -> None:
    st.markdown("**The graph of a gradient computation**: the example *Second derivative with nested tapes* "
                "differentiates `speed`, itself a `tape.gradient` result; pick it above and choose `speed` as target.")
    recording = shown_recording(run)
    jac_col, hess_col = st.columns(2)
    with jac_col, view("Jacobian"):
        heatmap(run, target, recording, "jacobian")
    with hess_col, view("Hessian"):
        heatmap(run, target, recording, "hessian")
    st.markdown("**Forward mode beside reverse mode**: the same Jacobian from `tf.autodiff.ForwardAccumulator` "
                "(one pass per input entry) and from `GradientTape` (one pass per output entry).")
    with view("forward mode"):
        modes = cached_higher("modes", run.source, run.dtype, run.seed, recording, target, _run=run)
        st.markdown(modes_summary(modes))
        st.dataframe(pd.DataFrame(modes.forward, index=modes.outputs, columns=modes.inputs).map(fmt), width="stretch")
    note = watched_note(graph, run)
    if note:
        st.caption(note)


def code_panel() -> None:
    st.code(run.tf_code, language="python")
    st.markdown("A finite difference and forward mode in plain TensorFlow, for a function `f` of one variable:")
    st.code(HIGHER_ORDER_CODE, language="python")


PANELS = {"Paths to a leaf": paths_panel, "Three independent answers": answers_panel,
          "Beyond first order": higher_panel, "TensorFlow code": code_panel}
chosen = st.segmented_control("More", list(PANELS), default="Paths to a leaf", key="wt_panel",
                              label_visibility="collapsed")
if chosen:          # only the chosen panel is computed: finite differences and forward mode cost seconds
    with view(chosen):
        PANELS[chosen]()
