"""Backprop step-through: the forward pass op by op, then the chain rule edge by edge."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import explorer
from explorer.checks import check_gradients
from explorer.codegen import HIGHER_ORDER_CODE
from explorer.higher import HigherOrderError, forward_and_reverse, hessian, inputs_of, jacobian
from explorer.presets import PRESETS, by_title
from explorer.render import fmt
from explorer.walkthrough import paths, step_dot
from app_pages._shared import cached_run, graph_css, pick_recording, run_or_last_good, show_error, \
    shown_recording, view
from explorer.backward import nonfinite
from explorer.views import ViewError

DEFAULT = by_title("Chain rule on a computation graph (Chollet 2.4.4)")
FROM_GRAPH = "(the program from the Graph page)"
OWN = "(your own program)"
MAX_HEATMAP_CELLS = 2_500     # a labelled Jacobian heatmap stays readable (and its payload small) up to this
SPEEDS = {"slow (2 s)": 2.0, "normal (1 s)": 1.0, "fast (0.5 s)": 0.5}


@st.cache_data(max_entries=64, show_spinner="Finite differences and sympy …")
def cached_checks(source: str, dtype: str, seed: int, target: str | None,
                  recording: int | None = None) -> list[explorer.GradientCheck]:
    return check_gradients(cached_run(source, dtype, seed, recording), target)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_higher(kind: str, source: str, dtype: str, seed: int, recording: int | None, target: str, *args):
    """Jacobian, Hessian and forward-mode answers, computed once per program and target (a rerun, a
    Next click, must not redo n forward passes)."""
    fn = {"jacobian": jacobian, "hessian": hessian, "modes": forward_and_reverse}[kind]
    return fn(cached_run(source, dtype, seed, recording), target, *args)


def load_example() -> None:
    choice = st.session_state.wt_preset
    if choice == FROM_GRAPH and "graph_program" in st.session_state:
        st.session_state.wt_program, st.session_state.wt_dtype, _ = st.session_state.graph_program
    elif choice != OWN:
        st.session_state.wt_program = by_title(choice).source
    st.session_state.wt_step = 0


def go_to(k: int) -> None:
    st.session_state.wt_step = k


def set_playing(value: bool) -> None:
    """Set, not toggle: a click that reaches the server twice must not undo itself."""
    st.session_state.wt_playing = value


def close(a, b, dtype: str) -> bool:
    rtol = 1e-2 if dtype == "float32" else 1e-4
    return bool(np.allclose(a, b, rtol=rtol, atol=rtol * 0.1))


st.session_state.setdefault("wt_program", DEFAULT.source)
st.session_state.setdefault("wt_dtype", "float32")
st.session_state.setdefault("wt_step", 0)
st.session_state.setdefault("wt_playing", False)

graph_css()
st.title("Backprop step-through")
st.markdown(
    "**What am I looking at?** Backpropagation one step at a time. First the **forward pass** computes every "
    "value, op by op. Then the **backward pass** starts from the target (its gradient is 1) and walks the graph "
    "in reverse: on each edge, *upstream gradient × local derivative = contribution*; a value that feeds several "
    "ops collects one contribution from each, and their **sum** is its gradient. Every number is TensorFlow's.")

left, right = st.columns([3, 2], gap="large")
with left:
    options = [p.title for p in PRESETS] + ([FROM_GRAPH] if "graph_program" in st.session_state else [])
    current = next((p.title for p in PRESETS if p.source == st.session_state.wt_program), None)
    if current is None:
        from_graph = st.session_state.get("graph_program", (None,))[0] == st.session_state.wt_program
        current = FROM_GRAPH if from_graph else OWN
    if current == OWN:
        options.append(OWN)
    st.session_state.wt_preset = current
    st.selectbox("Example", options, key="wt_preset", on_change=load_example)
    st.text_area("Program", key="wt_program", height=230, on_change=go_to, args=(0,),
                 help="The same language as the Graph page. Press Ctrl+Enter to run.")
with right:
    st.radio("Float dtype", ["float32", "float64"], key="wt_dtype", horizontal=True)

source, dtype = st.session_state.wt_program, st.session_state.wt_dtype
seed = st.session_state.get("graph_program", (None, None, 0))[2] if current == FROM_GRAPH else 0
run, error = run_or_last_good(source, dtype, seed, "wt_last_good")
with left:
    if error is not None:
        show_error(source, error, run is not None)

if run is None:
    st.stop()
with right:
    run = pick_recording(run, "wt-recording", on_change=lambda: go_to(0))
targets = run.targets()
if not targets:
    with right:
        st.info("Nothing is differentiated: compute a value inside `with tf.GradientTape() as tape:` or end with "
                "a bare expression.")
    st.stop()

with right:
    target = st.selectbox("Target (differentiate this)", targets, key=f"wt-target-{hash(run.source)}",
                          on_change=go_to, args=(0,))
    c1, c2 = st.columns(2)
    c1.button("Pause" if st.session_state.wt_playing else "Play", on_click=set_playing, args=(not st.session_state.wt_playing,), width="stretch",
              icon=":material/pause:" if st.session_state.wt_playing else ":material/play_arrow:",
              help="Advance one step at the chosen speed.")
    c2.selectbox("Speed", list(SPEEDS), index=1, key="wt_speed", label_visibility="collapsed")
    st.toggle("Quiz mode", key="wt_quiz", help="Each backward step hides its contribution: type your answer.")

graph = run.graph_for(target)
try:
    steps = run.walkthrough(target)
except ViewError as e:
    with right:
        st.info(str(e))
    st.stop()
tname = graph.nodes[graph.target].label


@st.fragment(run_every=SPEEDS[st.session_state.wt_speed] if st.session_state.wt_playing else None)
def stepper() -> None:
    n = len(steps)
    k = min(max(int(st.session_state.wt_step), 0), n - 1)
    if st.session_state.wt_playing:
        if k >= n - 1:
            st.session_state.wt_playing = False
            st.rerun()
        k += 1
    st.session_state.wt_step = k
    cols = st.columns(4)
    cols[0].button("First", icon=":material/first_page:", on_click=go_to, args=(0,), disabled=k == 0,
                   width="stretch")
    cols[1].button("Back", icon=":material/chevron_left:", on_click=go_to, args=(max(k - 1, 0),),
                   disabled=k == 0, width="stretch")
    cols[2].button("Next", icon=":material/chevron_right:", on_click=go_to, args=(min(k + 1, n - 1),),
                   disabled=k == n - 1, width="stretch", type="primary")
    cols[3].button("Last", icon=":material/last_page:", on_click=go_to, args=(n - 1,), disabled=k == n - 1,
                   width="stretch")
    first_backward = next(i for i, s in enumerate(steps) if s.phase == "seed")
    st.session_state.wt_step_slider = k + 1
    st.slider("Step", 1, n, key="wt_step_slider", on_change=lambda: go_to(st.session_state.wt_step_slider - 1),
              help=f"Steps 1–{first_backward}: forward pass · {first_backward + 1}–{n}: backward pass")
    step = steps[k]
    panel, picture = st.columns([2, 3], gap="large")
    with panel:
        _panel(step, k, n)
    with picture, view("step graph"):
        st.graphviz_chart(step_dot(graph, steps, k, quiz=_quizzing(step, k)), width="stretch")


def _quizzing(step, k: int) -> bool:
    """Quiz mode hides a backward step's number until the student has found it."""
    return bool(st.session_state.get("wt_quiz")) and step.phase == "backward" and step.contribution is not None \
        and step.scalar and not st.session_state.get(f"wt_solved_{hash(run.source)}_{target}_{k}")


def _panel(step, k: int, n: int) -> None:
    quiz_scalar = _quizzing(step, k)
    phase = {"forward": "Forward pass", "seed": "Backward pass", "backward": "Backward pass"}[step.phase]
    st.subheader(f"{phase} · step {k + 1} of {n}: {step.title}")
    if quiz_scalar:
        e = step.edge
        src = graph.nodes[e.src].label
        dst = graph.nodes[e.dst].label
        st.markdown(f"Upstream gradient ∂{tname}/∂{dst} = **{fmt(step.upstream)}**; local derivative "
                    f"∂{dst}/∂{src} = {step.rule} = **{fmt(step.local)}**. What does this edge send back to "
                    f"**{src}**?")
        guess = st.number_input("Your contribution", value=None, format="%.6g", key=f"wt_guess_{k}")
        if st.button("Check", key=f"wt_check_{k}"):
            if guess is not None and close(guess, step.contribution, run.dtype):
                st.session_state[f"wt_solved_{hash(run.source)}_{target}_{k}"] = True
                st.success(f"Right: {fmt(step.upstream)} × {fmt(step.local)} = {fmt(step.contribution)}.")
            else:
                st.error("Not quite: multiply the upstream gradient by the local derivative.")
    else:
        if st.session_state.get("wt_quiz") and step.phase == "backward" and not step.scalar:
            st.caption("Quiz mode asks for single numbers; this tensor step shows its answer.")
        st.markdown(step.text)
        if step.latex:
            st.latex(step.latex)
        if step.shapes:
            st.markdown(f"**Shapes:** {step.shapes}")
        if step.receiver is not None and step.complete and step.phase == "backward":
            ok = close(step.running, step.tensorflow, run.dtype) if step.tensorflow is not None else False
            badge = ":green-badge[✓ sum complete]" if ok else ":red-badge[✗ differs]"
            st.markdown(f"{badge} ∂{tname}/∂{graph.nodes[step.receiver].label} = {fmt(step.running)}; "
                        f"TensorFlow's tape.gradient gives {fmt(step.tensorflow)}.")


stepper()

st.divider()
paths_tab, answers_tab, higher_tab = st.tabs(["Paths to a leaf", "Three independent answers", "Beyond first order"])

with paths_tab, view("paths table"):
    leaves = [n for n in graph.nodes if n.is_leaf and n.kind != "literal" and graph.gradients.get(n.index) is not None]
    if not leaves:
        st.info(f"No leaf has a gradient with respect to {tname}.")
    else:
        leaf = st.selectbox("Leaf", [n.label for n in leaves], key=f"wt-leaf-{hash(run.source)}-{target}")
        leaf_node = next(n for n in leaves if n.label == leaf)
        try:
            found, count, total = paths(graph, leaf_node.index)
        except ValueError as e:
            st.info(str(e))
        else:
            st.markdown(f"Every path from **{tname}** down to **{leaf}** multiplies the local derivatives along "
                        f"it; the gradient is the **sum over all paths** ({count} here).")
            rows = []
            for p in found:
                rows.append({
                    "path": " → ".join(graph.nodes[i].label for i in p.named),
                    "local derivatives": " · ".join(fmt(f) for f in p.named_factors),
                    "product": fmt(p.product),
                    "every op on the way": " → ".join(graph.nodes[i].label for i in p.nodes)
                                           + "  (" + " · ".join(fmt(f) for f in p.factors) + ")",
                })
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
            if count > len(found):
                st.caption(f"The first {len(found)} of {count} paths; the sum below covers all of them.")
            tf_grad = graph.gradients[leaf_node.index]
            st.markdown(f"Sum over paths = **{fmt(total)}**; TensorFlow's ∂{tname}/∂{leaf} = **{fmt(tf_grad)}** "
                        + (f":gray-badge[{nonfinite(total) or nonfinite(tf_grad)}: not compared]"
                           if nonfinite(total) or nonfinite(tf_grad) else
                           ":green-badge[✓ equal]" if total is not None and close(total, tf_grad, run.dtype)
                           else ":red-badge[✗ differ]"))

with answers_tab, view("three answers"):
    st.markdown("Three ways to the same gradient: **TensorFlow** (reverse-mode autodiff), a **central finite "
                "difference** (the program re-run with the input nudged by ±h, h ≈ ε^⅓ for the dtype), and for "
                "scalar programs **sympy**'s symbolic derivative.")
    if st.toggle("Compute the three answers", key="wt_answers", value=True):
        checks = cached_checks(run.source, run.dtype, run.seed, target, shown_recording(run))
        for c in checks:
            badge = {True: ":green-badge[agree]", False: ":red-badge[differ]", None: ":gray-badge[not compared]"}[c.agree]
            st.markdown(f"**∂{tname}/∂{c.source}** {badge} — TensorFlow {fmt(c.tensorflow)} · finite difference "
                        f"{fmt(c.finite_difference)} (h = {c.step:.2g}) · sympy {fmt(c.symbolic)}")
            if c.symbolic_latex:
                st.latex(c.symbolic_latex)
            if c.note:
                st.caption(c.note)

with higher_tab, view("beyond-first-order views"):
    st.markdown("**The graph of a gradient computation**: the example *Second derivative with nested tapes* "
                "differentiates `speed`, itself a `tape.gradient` result; pick it above and choose `speed` as target.")
    jac_col, hess_col = st.columns(2)
    with jac_col, view("Jacobian"):
        st.markdown("**Jacobian** (`tape.jacobian`): every output entry against every input entry.")
        ins = [run.trace.nodes[i].label for i in inputs_of(run.trace, graph.target)]
        if ins:
            src = st.selectbox("with respect to", ins, key=f"wt-jac-{hash(run.source)}-{target}")
            try:
                j = cached_higher("jacobian", run.source, run.dtype, run.seed, shown_recording(run), target, src)
                out_shape, in_shape = graph.nodes[graph.target].shape, np.shape(j)[len(graph.nodes[graph.target].shape):]
                m, n = int(np.prod(out_shape)) if out_shape else 1, int(np.prod(in_shape)) if in_shape else 1
                matrix = np.reshape(j, (m, n))
                if m * n > MAX_HEATMAP_CELLS:
                    raise ViewError(f"∂{tname}/∂{src} is {m} × {n} = {m * n:,} entries, more than a heatmap can show "
                                    f"({MAX_HEATMAP_CELLS:,}); entries from {fmt(matrix.min())} to "
                                    f"{fmt(matrix.max())}, {int(np.count_nonzero(matrix)):,} non-zero")
                ylab = [tname] if not out_shape else [f"{tname}[{','.join(map(str, k))}]" for k in np.ndindex(*out_shape)]
                xlab = [src] if not in_shape else [f"{src}[{','.join(map(str, k))}]" for k in np.ndindex(*in_shape)]
                fig = go.Figure(go.Heatmap(z=matrix, x=xlab, y=ylab, colorscale="RdBu", zmid=0,
                                           text=[[fmt(v) for v in row] for row in matrix], texttemplate="%{text}"))
                fig.update_layout(height=120 + 40 * m, margin=dict(l=10, r=10, t=30, b=10), font=dict(size=16),
                                  title=f"∂{tname}/∂{src}: {m} × {n}", yaxis=dict(autorange="reversed"))
                st.plotly_chart(fig, width="stretch", key="wt-jac-fig")
            except HigherOrderError as e:
                st.info(str(e))
    with hess_col, view("Hessian"):
        st.markdown("**Hessian** (two nested tapes): second derivatives of a scalar target.")
        try:
            h = cached_higher("hessian", run.source, run.dtype, run.seed, shown_recording(run), target)
            fig = go.Figure(go.Heatmap(z=h.matrix, x=h.names, y=h.names, colorscale="RdBu", zmid=0,
                                       text=[[fmt(v) for v in row] for row in h.matrix], texttemplate="%{text}"))
            fig.update_layout(height=140 + 40 * len(h.names), margin=dict(l=10, r=10, t=30, b=10), font=dict(size=16),
                              title=f"∂²{tname} / ∂(row) ∂(column)", yaxis=dict(autorange="reversed"))
            st.plotly_chart(fig, width="stretch", key="wt-hess-fig")
        except HigherOrderError as e:
            st.info(str(e) + " (try the bare expression example: `x = 3.0; y = 2.0; x**2 * y + tf.sin(x)`)")
    st.markdown("**Forward mode beside reverse mode**: the same Jacobian from `tf.autodiff.ForwardAccumulator` "
                "(one pass per input entry) and from `GradientTape` (one pass per output entry).")
    try:
        modes = cached_higher("modes", run.source, run.dtype, run.seed, shown_recording(run), target)
        st.markdown(f"{modes.forward_passes} input entries, {modes.reverse_passes} output entries: forward mode "
                    f"needs **{modes.forward_passes}** passes, reverse mode **{modes.reverse_passes}**. "
                    "That is why training (many weights, one loss) uses reverse mode. Largest difference "
                    f"between the two: {float(np.max(np.abs(modes.forward - modes.reverse))):.2g}.")
        table = pd.DataFrame(modes.forward, index=modes.outputs, columns=modes.inputs)
        st.dataframe(table.map(fmt), width="stretch")
    except HigherOrderError as e:
        st.info(str(e))

with st.expander("Show the TensorFlow code"):
    st.code(run.tf_code, language="python")
    st.markdown("A finite difference and forward mode in plain TensorFlow, for a function `f` of one variable:")
    st.code(HIGHER_ORDER_CODE, language="python")
