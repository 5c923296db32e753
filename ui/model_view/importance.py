"""The Importance tab: permutation and tree importances, and partial dependence."""

from __future__ import annotations

import streamlit as st

from mllib import charts, explain, response
from mllib.profile import Task
from ui import i18n
from ui.i18n import _
from ui.model_view.common import View, cached_dependence, cached_permutation, chart, rare_named
from ui.state import bind_choice


def importance_tab(view: View) -> None:
    tr = i18n.tr()
    model = view.model
    with st.spinner(_("Shuffling each feature on the test rows…")):
        importances, rows = cached_permutation(view.key, view)
    metric = i18n.term("accuracy" if model.task == Task.CLASSIFICATION else "R²")
    note = charts.sample_note(rows, model.n_test, "test rows", tr) or _(
        "all {n} test rows", n=tr.number(rows)
    )
    chart(
        charts.importance(
            importances,
            _(
                "Permutation importance: the drop in test {metric} when a feature is shuffled",
                metric=metric,
            ),
            _("mean ± SD over 5 shuffles on {rows}", rows=note),
            tr=tr,
        )
    )
    if model.spec.gain_importance:
        chart(
            charts.importance(
                rare_named(explain.tree_importances(model), "feature"),
                _("Tree importance: each column's share of all information gain"),
                _("from the training rows; favours features with many possible splits"),
                tr=tr,
            )
        )
    st.subheader(_("Partial dependence"))
    features = explain.dependence_features(model)
    if not features:
        st.info(_("No numeric or categorical feature to vary."))
        return
    default = next((f for f in importances["feature"] if f in features), features[0])
    feature = st.selectbox(_("Feature"), features, key=bind_choice("pd_feature", features, default))
    with st.spinner(_("Averaging predictions…")):
        dependence, used = cached_dependence(view.key, feature, view)
    if model.task == Task.REGRESSION:
        what = _("average predicted {target}", target=view.target)
    elif response.score_kind(model.pipeline) == response.PROBABILITY:
        what = _("average probability")
    else:
        what = _("share of rows predicted")
    note = charts.sample_note(used, model.n_train, "training rows", tr) or _(
        "{n} training rows", n=tr.number(used)
    )
    chart(
        charts.partial_dependence(
            dependence, feature, feature in model.plan.numeric, what, note, view.classes, tr
        )
    )
