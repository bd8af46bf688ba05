"""Gradient Explorer: page config and navigation, nothing else."""

import streamlit as st

st.set_page_config(page_title="Gradient Explorer", page_icon="∂", layout="wide")
st.navigation([
    st.Page("pages/graph.py", title="Graph explorer", icon="🕸️", default=True),
]).run()
