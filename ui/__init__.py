"""The Streamlit side of Glassbox: session state, caching, shared widgets and the app shell.

Only this package and ``pages/`` import streamlit; all computing happens in ``mllib``.
"""
