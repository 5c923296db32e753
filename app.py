"""Glassbox: open it with ``streamlit run app.py``. This file only starts the app shell."""

from ui.shell import run_app

run_app()
