"""Home: what Glassbox does, where you are, and where to go next."""

from __future__ import annotations

import streamlit as st

from ui import shell
from ui.state import workspace

STEPS = (
    (
        "pages/data.py",
        "1 · Data",
        ":material/table_view:",
        "Load a sample or your own CSV, Excel or Parquet file; pick the target and features.",
    ),
    (
        "pages/train.py",
        "2 · Train",
        ":material/model_training:",
        "Choose linear models, a decision tree or an SVM and tune it with sliders.",
    ),
    (
        "pages/model.py",
        "3 · See the model",
        ":material/visibility:",
        "The fitted line and equation, the tree and its splits, SVM margins, ROC and more.",
    ),
    (
        "pages/compare.py",
        "4 · Compare & tune",
        ":material/leaderboard:",
        "Every algorithm side by side; a hyperparameter search with progress.",
    ),
    (
        "pages/predict.py",
        "5 · Predict",
        ":material/online_prediction:",
        "Predict one row on a form, or a whole file.",
    ),
    (
        "pages/export.py",
        "6 · Export & serve",
        ":material/download:",
        "Download the pipeline and a model card; serve it as a JSON web service.",
    ),
)


shell.ensure_app_shell()


def main() -> None:
    ws = workspace()
    shell.page_header(
        "Glassbox",
        "Machine learning you can see through: load data, train a model, and look inside it.",
    )
    if ws.dataset is not None:
        st.success(
            f"**{ws.dataset.name}** is loaded ({ws.dataset.n_rows:,} rows). Target: "
            f"**{ws.target}** ({ws.task.value if ws.task else '?'}).",
            icon=":material/check_circle:",
        )
    cols = st.columns(3)
    for i, (path, label, icon, text) in enumerate(STEPS):
        with cols[i % 3].container(border=True):
            st.page_link(path, label=label, icon=icon)
            st.caption(text)


main()
