"""The Network playground's views under the live picture: the boundary replay, how each layer bends space,
one point through the graph, the exports and the TensorFlow code. Only the open tab is computed."""

import streamlit as st

from explorer import playground as pg
from explorer import playground_plots as plots

S = pg.SETTINGS


def below_the_picture(trainer: pg.Trainer, playing: bool, shown, value) -> None:
    """`shown(name)` and `value(name)` are the page's: whether a control is drawn, a setting's value."""
    names = ["Boundary over training", "How each layer bends space", "One point, forward and backward"] \
        + (["Export"] if shown("export") else [])
    tabs = st.tabs(names, key="pg_tab", on_change="rerun")     # only the open tab is computed
    replay = st.session_state.get("pg_replay")
    replay = replay[2:] if replay and replay[:2] == (trainer, trainer.generation) else None
    if tabs[0].open:
        with tabs[0]:
            st.caption("The output over the input plane at up to 60 moments recorded while training; replay it "
                       "with ▶.")
            if st.button("Build the replay", key="pg_build_replay"):
                bar = st.progress(0.0, text="Recording the boundary at each moment of training …")
                frames = trainer.boundary_frames(100, 60, progress=lambda f: bar.progress(
                    f, text=f"Recording the boundary at each moment of training … {f:.0%}"))
                bar.progress(1.0, text="Drawing the animation and saving it as HTML …")
                figure = plots.replay_figure(trainer, frames)
                replay = figure, figure.to_html(include_plotlyjs=True)
                st.session_state.pg_replay = (trainer, trainer.generation, *replay)
                bar.empty()
            if replay:
                st.plotly_chart(replay[0], key="pg_replay_chart")
    if tabs[1].open:
        with tabs[1]:
            st.caption("Straight grid lines of the input plane, carried through each hidden layer: each layer is an "
                       "affine map followed by the activation's fold. Layers wider than 2 are seen through a fixed "
                       "projection.")
            with st.spinner("Carrying the grid through each layer at each recorded moment …"):
                warp = plots.warp_figure(trainer)
            st.plotly_chart(warp, key="pg_warp")
    if tabs[2].open:
        with tabs[2]:
            if shown("point"):
                st.number_input("Training point", 0, max(0, trainer.train_data.n - 1), key=S.key("point"))
            index = min(int(value("point")), trainer.train_data.n - 1)
            program = trainer.point_program(index)
            st.markdown(f"Point ({trainer.train_data.x[index][0]:.3f}, {trainer.train_data.x[index][1]:.3f}), label "
                        f"{trainer.train_data.y[index]}: the network with its weights at step {trainer.step:,}, as a program "
                        "of the Graph page's language (regularization left out).")
            st.code(program, language="python")
            if st.button("Step through it on the Backprop page", key="pg_send"):
                st.session_state.graph_handoff = (program, "float32", 0)
                st.session_state.wt_program = program
                st.switch_page("app_pages/walkthrough.py")
    if len(tabs) > 3 and tabs[3].open:
        with tabs[3]:
            saved = st.session_state.get("pg_saved")
            if not saved or saved[:2] != (trainer.generation, trainer.step) or saved[2] is not trainer:
                saved = st.session_state.pg_saved = (trainer.generation, trainer.step, trainer, trainer.keras_file())
            # the files are made with the page, not when clicked: a click's file must not depend on a rerun
            st.caption(f"The network at step {saved[1]:,} (epoch {trainer.epoch:,.1f})"
                       + (": pause to export the network on screen." if playing else "."))
            c = st.columns(3)
            c[0].download_button("Trained model (.keras)", saved[3], "playground.keras", "application/octet-stream",
                                 key="pg_dl_model", on_click="ignore")
            c[1].download_button("Keras code (.py)", trainer.keras_code(), "playground.py", "text/x-python",
                                 key="pg_dl_code", on_click="ignore")
            if replay:
                c[2].download_button("Boundary animation (.html)", replay[1], "playground.html", "text/html",
                                     key="pg_dl_html", on_click="ignore")
            else:
                c[2].caption("Build the replay first to save it as HTML.")
            st.caption("Share: the address bar holds every setting and the seed.")
    code = st.expander("Show the TensorFlow code", key="pg_code", on_change="rerun")    # drawn when opened
    if code.open:
        with code:
            st.code(trainer.keras_code(), language="python")
