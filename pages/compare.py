"""Work in progress (being built in a parallel change)."""

import streamlit as st

st.title("compare")
