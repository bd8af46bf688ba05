"""Gradient Explorer: page config and navigation, nothing else."""

import streamlit as st

import app_pages._keras_state  # noqa: F401 - Streamlit no longer clears Keras's global state after each run

st.set_page_config(page_title="Gradient Explorer", page_icon="∂", layout="wide")
st.navigation([
    st.Page("app_pages/graph.py", title="Graph explorer", icon=":material/account_tree:", default=True),
    st.Page("app_pages/walkthrough.py", title="Backprop step-through", icon=":material/stairs:"),
    st.Page("app_pages/descent.py", title="Gradient descent", icon=":material/trending_down:"),
    st.Page("app_pages/playground.py", title="Network playground", icon=":material/hub:"),
    st.Page("app_pages/tensors.py", title="Tensors", icon=":material/view_in_ar:"),
]).run()
