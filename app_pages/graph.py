"""Graph explorer: type an expression or paste GradientTape code, see the forward and backward graphs."""

import pandas as pd
import streamlit as st

from explorer.page_settings import GRAPH as S, GRAPH_VIEWS
from explorer.render import headline
from app_pages import _links as links

SHORT = {"Forward graph": "Forward", "Backward graph": "Backward", "Values & gradients": "Table",
         "TensorFlow's graph": "TF graph", "Plots": "Plots"}
from app_pages._components import graph_view
from app_pages._runs import pick_recording, run_or_last_good, show_error
from app_pages._shared import example_picker, fit_history, graph_css, loop_charts, program_output, program_plots, \
    show_downloads, view, wrapped_table


def new_program() -> None:
    """Another program opens at its own last recording, not at the number the previous one was on."""
    st.session_state[S.key("recording")] = 0


links.restore(S)
links.presentation_css()
graph_css()
head, toggle = st.columns([3, 1], vertical_alignment="center")
head.markdown("### Graph explorer")
with toggle:
    links.presentation_toggle()
links.link_errors(S)

with st.sidebar:
    if links.shown(S, "example"):
        example_picker(S, on_pick=new_program)
    c1, c2 = st.columns(2)
    if links.shown(S, "dtype"):
        c1.radio("Float dtype", ["float32", "float64"], key=S.key("dtype"))
    if links.shown(S, "seed"):
        c2.number_input("Random seed", min_value=0, max_value=2**31 - 1, step=1, key=S.key("seed"),
                        help="tf.random.normal / uniform draw from this seed: same seed, same numbers.")
    if links.shown(S, "layout"):
        st.radio("Layout", ["top to bottom", "left to right"], key=S.key("layout"), horizontal=True,
                 help="Left to right suits long chains on a wide screen.")

editing = links.shown(S, "program")
left, right = st.columns([1, 2], gap="medium") if editing else (st.container(), st.container())
with left:
    if editing:
        st.text_area("Program (TensorFlow code, or `x = 3.0; y = 2.0; x**2 * y`)", key=S.key("program"), height=300,
                     on_change=new_program,
                     help="Press Ctrl+Enter to run. Python as course notebooks write it (functions, loops, classes, "
                          "print, NumPy data) with TensorFlow's ops and GradientTape; files and the network are "
                          "refused. The README lists what is accepted.")

source, dtype, seed = (st.session_state[S.key(k)] for k in ("program", "dtype", "seed"))
run, error = run_or_last_good(source, dtype, int(seed), "graph_last_good")
if error is None:
    st.session_state.graph_handoff = (source, dtype, int(seed))   # the walkthrough page offers it

with left:
    if error is not None:
        show_error(source, error, run is not None)
if run is None:
    links.publish(S)
    st.stop()

with st.sidebar:
    run = pick_recording(run, S.key("recording"))
    targets = run.targets()
    if targets and st.session_state.get(S.key("target")) not in targets:
        st.session_state[S.key("target")] = targets[0]
    if targets and links.shown(S, "target"):
        st.selectbox("Target (differentiate this)", targets, key=S.key("target"))
target = st.session_state.get(S.key("target")) if targets else None
graph = run.graph_for(target) if target else run.graph
collapsed = set()
if graph.layers:
    with st.sidebar:
        st.session_state[S.key("collapsed")] = [c for c in st.session_state.get(S.key("collapsed"), [])
                                                if c in graph.layers]
        collapsed = set(st.pills("Keras layers: collapse to one box", graph.layers, selection_mode="multi",
                                 key=S.key("collapsed"),
                                 help="Each layer call is a cluster labelled with the layer's name. Pick a layer "
                                      "to draw it as one box listing its weights; pick it again to expand it."))

with right:
    if not targets:
        st.info("Nothing is differentiated yet: compute a value inside `with tf.GradientTape() as tape:` "
                "or end with a bare expression.")
    if target and not graph.chain_rule_ok:
        st.error("The chain-rule sum disagrees with TensorFlow's gradient at some node (see the table).")
    views = [v for v in GRAPH_VIEWS if v != "Plots" or any(f.calls for f in run.figures)]
    if st.session_state.get(S.key("view")) not in views:
        st.session_state[S.key("view")] = views[0]
    chosen = st.segmented_control("View", views, key=S.key("view"), label_visibility="collapsed",
                                  format_func=SHORT.get)
    rankdir = "LR" if st.session_state[S.key("layout")] == "left to right" else "TB"
    links.publish(S)    # every setting is final here: the address bar changes before the picture does
    if chosen == "Forward graph":
        with view("forward graph"):
            dot = graph.to_dot("forward", collapsed=collapsed, rankdir=rankdir)
            graph_view(dot, key="graph-view")
            st.caption("Blue: tf.Variable · grey: constant (dashed bold: watched) · white: op result. "
                       "Double border: the target.")
            show_downloads(dot, "forward", "fwd")
    elif chosen == "Backward graph":
        with view("backward graph"):
            dot = graph.to_dot("backward", collapsed=collapsed, rankdir=rankdir)
            graph_view(dot, key="graph-view")
            st.caption(f"Gradients of **{graph.nodes[graph.target].label if graph.target is not None else '—'}** "
                       f"{'from tape `' + graph.tape_name + '`' if graph.tape_name else '(no tape recorded it)'}. "
                       "Colour: RdBu diverging, blue positive, red negative (color-blind safe). Edge labels: local "
                       "derivative, then upstream × local = contribution.")
            show_downloads(dot, "backward", "bwd")
    elif chosen == "Values & gradients":
        with view("table"):
            wrapped_table([{"name": r["name"], "computed as": r["computed as"], "kind": r["kind"],
                            "shape · dtype": f"{r['shape']} · {r['dtype']}", "value": r["value"],
                            "gradient": r["gradient"].split(":")[0] + ": " + headline(r["gradient"][6:])
                            if r["gradient"].startswith("None: ") else r["gradient"],
                            "chain rule": r["chain rule"], "line": r["line"]} for r in graph.table()])
            st.caption("Why a gradient is None, in full: hover the node in the backward graph.")
    elif chosen == "TensorFlow's graph":
        with view("TensorFlow graph"):
            tf_graph = run.tf_graph()
            if tf_graph.error:
                st.warning(tf_graph.error)
            else:
                graph_view(tf_graph.to_dot(), key="graph-view")
                st.caption("The ops `tf.function` traces for this program. Blue boxes: the forward op of each value; "
                           "yellow boxes (∂ name): the `gradient_tape/...` ops TensorFlow generated to differentiate it.")
                show_downloads(tf_graph.to_dot(), "tensorflow-graph", "tfg")
                st.dataframe(pd.DataFrame([{"op": o.name, "type": o.type, "value": o.node_id or "",
                                            "gradient op": o.gradient} for o in tf_graph.ops]),
                             width="stretch", hide_index=True)
    elif chosen == "Plots":
        st.caption("What the program drew with matplotlib, drawn again here.")
        program_plots(run)
    fit_history(run)
    loop_charts(run)

with left:
    program_output(run)
with st.expander("Show the TensorFlow code"):
    st.code(run.tf_code, language="python")
