"""Home: what Glassbox does, where you are, and where to go next."""

from __future__ import annotations

import streamlit as st

from mllib.i18n import N_
from ui import i18n, shell
from ui.i18n import _
from ui.state import workspace

STEPS = (
    (
        "pages/data.py",
        N_("1 · Data"),
        ":material/table_view:",
        N_("Load a sample or your own CSV, Excel or Parquet file; pick the target and features."),
    ),
    (
        "pages/train.py",
        N_("2 · Train"),
        ":material/model_training:",
        N_("Choose linear models, a decision tree or an SVM and tune it with sliders."),
    ),
    (
        "pages/model.py",
        N_("3 · See the model"),
        ":material/visibility:",
        N_("The fitted line and equation, the tree and its splits, SVM margins, ROC and more."),
    ),
    (
        "pages/compare.py",
        N_("4 · Compare & tune"),
        ":material/leaderboard:",
        N_("Every algorithm side by side; a hyperparameter search with progress."),
    ),
    (
        "pages/predict.py",
        N_("5 · Predict"),
        ":material/online_prediction:",
        N_("Predict one row on a form, or a whole file."),
    ),
    (
        "pages/export.py",
        N_("6 · Export & serve"),
        ":material/download:",
        N_("Download the pipeline and a model card; serve it as a JSON web service."),
    ),
)


shell.ensure_app_shell()


def main() -> None:
    ws = workspace()
    shell.page_header(
        "Glassbox",
        _("Machine learning you can see through: load data, train a model, and look inside it."),
    )
    if ws.dataset is not None:
        st.success(
            _(
                "**{name}** is loaded ({rows} rows). Target: **{target}** ({task}).",
                name=i18n.dataset_name(ws.dataset),
                rows=i18n.tr().number(ws.dataset.n_rows),
                target=ws.target,
                task=i18n.term(ws.task.value) if ws.task else "?",
            ),
            icon=":material/check_circle:",
        )
    cols = st.columns(3)
    for i, (path, label, icon, text) in enumerate(STEPS):
        with cols[i % 3].container(border=True):
            st.page_link(path, label=_(label), icon=icon)
            st.caption(_(text))


main()
