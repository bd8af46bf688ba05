"""Graph explorer: type an expression or paste GradientTape code, see the forward and backward graphs."""

import pandas as pd
import streamlit as st

from explorer.presets import PRESETS, by_title
from explorer.share import decode_program, encode_program
from app_pages._shared import fit_history, graph_css, loop_charts, pick_recording, program_output, \
    program_plots, run_or_last_good, show_dot, show_error, view

DEFAULT = PRESETS[1]  # the textbook's chain-rule example
OWN = "(your own program)"


def restore_from_url() -> None:
    """First load only: take program and settings from a share link."""
    if st.session_state.get("restored"):
        return
    st.session_state.restored = True
    st.session_state.setdefault("program", DEFAULT.source)
    st.session_state.setdefault("preset", DEFAULT.title)
    st.session_state.setdefault("dtype", "float32")
    st.session_state.setdefault("seed", 0)
    params = st.query_params
    if "program" in params:
        try:
            st.session_state.program = decode_program(params["program"])
        except ValueError as e:
            st.session_state.link_error = str(e)
    if params.get("dtype") in ("float32", "float64"):
        st.session_state.dtype = params["dtype"]
    if params.get("seed", "").isdigit():
        if int(params["seed"]) <= 2**31 - 1:
            st.session_state.seed = int(params["seed"])
        else:
            st.session_state.link_error = f"the seed {params['seed']} is out of range; using 0"


def load_preset() -> None:
    title = st.session_state.preset
    if title != OWN:
        st.session_state.program = by_title(title).source


restore_from_url()
graph_css()
st.title("Graph explorer")
st.markdown(
    "**What am I looking at?** Your program runs under `tf.GradientTape`. The **forward graph** shows every "
    "value it computes; the **backward graph** shows, for the chosen target, TensorFlow's gradient at every "
    "value and on every edge the chain rule: *upstream gradient × local derivative = contribution*. "
    "Where a value feeds several ops, its gradient is the **sum** of their contributions.")
if "link_error" in st.session_state:
    st.warning(f"Could not open the shared link: {st.session_state.pop('link_error')}")

left, right = st.columns([1, 2], gap="large")
with left:
    # The selector names what is in the editor: an example's title, or "(your own program)" once edited.
    st.session_state.preset = next((p.title for p in PRESETS if p.source == st.session_state.program), OWN)
    titles = [p.title for p in PRESETS] + ([OWN] if st.session_state.preset == OWN else [])
    st.selectbox("Example", titles, key="preset", on_change=load_preset)
    st.text_area("Program (TensorFlow code, or `x = 3.0; y = 2.0; x**2 * y`)", key="program", height=280,
                 help="Press Ctrl+Enter to run. Python as course notebooks write it (functions, loops, classes, "
                      "print, NumPy data) with TensorFlow's ops and GradientTape; files and the network are "
                      "refused. The README lists what is accepted.")
    c1, c2 = st.columns(2)
    c1.radio("Float dtype", ["float32", "float64"], key="dtype", horizontal=True)
    c2.number_input("Random seed", min_value=0, max_value=2**31 - 1, step=1, key="seed",
                    help="tf.random.normal / uniform draw from this seed: same seed, same numbers.")

source, dtype, seed = st.session_state.program, st.session_state.dtype, int(st.session_state.seed)
run, error = run_or_last_good(source, dtype, seed, "last_good")
if error is None:
    st.session_state.graph_program = (source, dtype, seed)   # the walkthrough page offers it

with left:
    if error is not None:
        show_error(source, error, run is not None)
    else:
        st.query_params.update(program=encode_program(source), dtype=dtype, seed=str(seed))
        st.caption("Share: the address bar now holds this program; copy it to share.")
    if run is not None:
        program_output(run)

with right:
    if run is None:
        st.stop()
    run = pick_recording(run, "recording")
    fit_history(run)
    loop_charts(run)
    targets = run.targets()
    if targets:
        target = st.selectbox("Target (differentiate this)", targets, key=f"target-{hash(run.source)}")
    else:
        target = None
        st.info("Nothing is differentiated yet: compute a value inside `with tf.GradientTape() as tape:` "
                "or end with a bare expression.")
    graph = run.graph_for(target) if target else run.graph
    if target and not graph.chain_rule_ok:
        st.error("The chain-rule sum disagrees with TensorFlow's gradient at some node (see the table).")
    collapsed: set[str] = set()
    if graph.layers:
        collapsed = set(st.pills("Keras layers: collapse to one box", graph.layers, selection_mode="multi",
                                 key=f"collapse-{hash(run.source)}",
                                 help="Each layer call is a cluster labelled with the layer's name. Pick a layer "
                                      "to draw it as one box listing its weights; pick it again to expand it.")
                       or [])
    has_plots = any(f.calls for f in run.figures)
    forward, backward, table, tfg, *plots = st.tabs(["Forward graph", "Backward graph", "Values & gradients",
                                                     "TensorFlow's graph"] + (["Plots"] if has_plots else []))
    with forward, view("forward graph"):
        st.caption("Blue: tf.Variable · grey: constant (dashed bold: watched) · white: op result. "
                   "Double border: the target.")
        show_dot(graph.to_dot("forward", collapsed=collapsed), "forward", "fwd")
    with backward, view("backward graph"):
        st.caption(f"Gradients of **{graph.nodes[graph.target].label if graph.target is not None else '—'}** "
                   f"{'from tape `' + graph.tape_name + '`' if graph.tape_name else '(no tape recorded it)'}. Colour: RdBu diverging, blue positive, red negative "
                   "(color-blind safe). Edge labels: local derivative, then upstream × local = contribution.")
        show_dot(graph.to_dot("backward", collapsed=collapsed), "backward", "bwd")
    with table, view("table"):
        st.dataframe(pd.DataFrame(graph.table()), width="stretch", hide_index=True)
    with tfg, view("TensorFlow graph"):
        st.caption("The ops `tf.function` traces for this program. Blue boxes: the forward op of each value; "
                   "yellow boxes (∂ name): the `gradient_tape/...` ops TensorFlow generated to differentiate it.")
        tf_graph = run.tf_graph()
        if tf_graph.error:
            st.warning(tf_graph.error)
        else:
            show_dot(tf_graph.to_dot(), "tensorflow-graph", "tfg")
            st.dataframe(pd.DataFrame([{"op": o.name, "type": o.type, "value": o.node_id or "",
                                        "gradient op": o.gradient} for o in tf_graph.ops]),
                         width="stretch", hide_index=True)

    for tab in plots:
        with tab:
            st.caption("What the program drew with matplotlib, drawn again here.")
            program_plots(run)

with st.expander("Show the TensorFlow code"):
    st.code(run.tf_code, language="python")
