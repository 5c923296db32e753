"""See the model: what the trained model learned, drawn from the fitted pipeline itself.

Tabs render lazily (only the open one runs). Every table comes from ``mllib.explain`` and every
chart from ``mllib.charts``; this page reads widgets, caches by the model's training key and
renders.
"""

from __future__ import annotations

import streamlit as st

from mllib import explain, training
from mllib.i18n import N_
from mllib.profile import Task
from mllib.training import TrainedModel
from ui import cache, i18n, lesson, shell
from ui.i18n import _
from ui.model_view.boundary import boundary_section
from ui.model_view.common import View, fixed
from ui.model_view.evaluation import evaluation_tab
from ui.model_view.how import how_tab
from ui.model_view.importance import importance_tab
from ui.model_view.linear import linear_view
from ui.model_view.svm import svm_view
from ui.model_view.tree import tree_view
from ui.state import keep_valid, workspace

shell.ensure_app_shell()


def summary(view: View) -> None:
    tr = i18n.tr()
    model = view.model
    primary, value = next(iter(model.test_scores.items()))
    params = _(", ").join(
        f"{tr.text(p.label)} = {tr.text(p.label_of(model.config.param_dict[p.name]))}"
        for p in model.spec.params_for(model.task)
        if p.name in model.config.param_dict
    )
    st.markdown(
        tr(
            "**{algorithm}** predicting **{target}** ({task}) from {n} feature(s) · test "
            "{metric} **{value}** · {train} training / {test} test rows",
            algorithm=tr.text(model.spec.name),
            target=view.target,
            task=i18n.term(model.task.value),
            n=tr.number(len(model.config.features)),
            metric=i18n.term(primary),
            value=fixed(value, 3),
            train=tr.number(model.n_train),
            test=tr.number(model.n_test),
        )
    )
    if params:
        st.caption(params)


def model_tab(view: View) -> None:
    draw = {"weights": linear_view, "diagram": tree_view, "dual": svm_view}
    draw[view.model.spec.model_view](view)


#: The tabs by their English names (the keys of :data:`RENDER`); shown translated.
TABS = (
    N_("Model"),
    N_("Boundary"),
    N_("Prediction map"),
    N_("Evaluation"),
    N_("Importance"),
    N_("How it works"),
)
#: What a classifier's scores are (:mod:`mllib.response`), named in captions.
SCORE_KINDS = (N_("probability"), N_("decision score"))


def tab_names(model: TrainedModel) -> list[str]:
    names = ["Model"]
    # The dual view draws the boundary (or curve) on its own tab already.
    if model.spec.model_view != "dual" and len(explain.boundary_axes(model)) >= 2:
        names.append("Boundary" if model.task == Task.CLASSIFICATION else "Prediction map")
    return [*names, "Evaluation", "Importance", "How it works"]


RENDER = {
    "Model": model_tab,
    "Boundary": boundary_section,
    "Prediction map": boundary_section,
    "Evaluation": evaluation_tab,
    "Importance": importance_tab,
    "How it works": how_tab,
}


def open_tab(labels: list[str], names: list[str]) -> str:
    """The tabs' widget key, its state turned into this language's label: a tab chosen in
    another language (or by its English name, as a link or a test may) stays open."""
    name = lesson.tab_name(st.session_state.get("model_tab"))
    if name in names:
        st.session_state["model_tab"] = labels[names.index(name)]
    return keep_valid("model_tab", labels)  # a tab this model does not have is forgotten


def main() -> None:
    ws = workspace()
    shell.page_header(
        _("See the model"), _("What the trained model learned, drawn from the fitted model itself.")
    )
    if not shell.require_model(ws):
        return
    model = ws.model
    assert model is not None
    if ws.dataset is None or ws.dataset.fingerprint != model.data_fingerprint:
        st.warning(_("The data changed since this model was trained."), icon=":material/warning:")
        st.page_link(
            "pages/train.py",
            label=_("Retrain on the Train page"),
            icon=":material/model_training:",
        )
        return
    key = training.training_key(model.data_fingerprint, model.config)
    view = View(model, cache.model_data(key, model, ws.dataset.frame), key)
    summary(view)
    share = st.container()  # filled last: the link includes the controls of the open tab
    names = tab_names(model)
    labels = [_(name) for name in names]
    tabs = st.tabs(labels, key=open_tab(labels, names), on_change="rerun")
    for name, tab in zip(names, tabs, strict=True):
        if tab.open:
            with tab:
                RENDER[name](view)
    with share:
        lesson.share_box(ws)


main()
