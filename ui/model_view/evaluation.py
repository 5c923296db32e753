"""The Evaluation tab: residual plots, or the confusion matrix, threshold and ROC / PR curves."""

from __future__ import annotations

import streamlit as st

from mllib import charts, explain, response, threshold
from mllib.profile import Task
from ui import i18n
from ui.i18n import _
from ui.model_view.common import View, chart, fixed, sentences, table
from ui.state import bind, workspace


def evaluation_tab(view: View) -> None:
    tr = i18n.tr()
    model = view.model
    if model.task == Task.REGRESSION:
        points = explain.regression_points(model.y_test, model.y_pred, seed=model.config.seed)
        left, right = st.columns(2)
        with left:
            chart(charts.predicted_vs_actual(points, len(model.y_test), view.target, i18n.tr()))
        with right:
            chart(charts.residuals_vs_predicted(points, len(model.y_test), i18n.tr()))
        chart(
            charts.residual_histogram(explain.residual_bins(model.y_test, model.y_pred), i18n.tr())
        )
        return
    classes = view.classes or []
    scored = response.score_kind(model.pipeline) or response.DECISION
    scores = threshold.binary_scores(model.y_test, model.test_scores_raw, classes, scored)
    y_pred, point = model.y_pred, None
    if scores is not None:
        point = threshold_slider(view, scores)
        y_pred = threshold.predictions(scores, point.threshold)
    normalised = st.toggle(
        _("Normalise each row (share of the actual class)"), key=bind("cm_normalise", False)
    )
    confusion = explain.confusion_table(model.y_test, y_pred, classes)
    left, right = st.columns([3, 2], gap="large")
    with left:
        chart(charts.confusion(confusion, normalised, tr))
    with right:
        st.markdown(_("**Per class**"))
        table(
            explain.class_report(confusion),
            formats={"precision": "{:.3f}", "recall": "{:.3f}"},
        )
        st.caption(
            _(
                "Precision: of the rows predicted as the class, the share that were. Recall: of "
                "the rows of the class, the share found."
            )
        )
    curves, areas = explain.roc_table(model.y_test, model.test_scores_raw, classes)
    if not len(curves):
        st.info(_("The test rows hold a single class, so ROC and PR curves are undefined."))
        return
    pr_curves, pr_areas = explain.pr_table(model.y_test, model.test_scores_raw, classes)
    left, right = st.columns(2)
    with left:
        chart(charts.roc(curves, areas, classes, point.roc_point() if point else None, i18n.tr()))
    with right:
        chart(
            charts.precision_recall(
                pr_curves, pr_areas, classes, point.pr_point() if point else None, i18n.tr()
            )
        )
    st.caption(
        _(
            "Curves rank the test rows by the model's {score} values, one class against the rest.",
            score=tr.text(scored),
        )
        if len(classes) > 2
        else _(
            "Curves rank the test rows by the model's {score} values, with {positive} as the "
            "positive class. The black dot is the chosen threshold; on the precision-recall "
            "chart it can sit below the steps when a lower threshold only added false positives "
            "(the steps show the best precision reached at each recall).",
            score=tr.text(scored),
            positive=classes[1],
        )
    )
    table(
        areas.drop(columns="points").merge(pr_areas.drop(columns="points"), on="class"),
        formats={"AUC": "{:.3f}", "average precision": "{:.3f}", "base rate": "{:.3f}"},
    )


#: The counts behind each rate (symbols, the same in every language).
FORMULAS = {"precision": "TP / (TP + FP)", "recall": "TP / (TP + FN)", "fpr": "FP / (FP + TN)"}


def threshold_slider(view: View, scores: threshold.BinaryScores) -> threshold.OperatingPoint:
    """The decision threshold of a binary classifier: slider, counts, precision and recall.

    The choice is kept per model in the workspace, so Predict, Export and the service use it.
    """
    tr = i18n.tr()
    ws = workspace()
    if st.session_state.get("threshold_for") not in (None, view.key):  # another model
        st.session_state.pop("threshold", None)
    st.session_state["threshold_for"] = view.key
    low, high = scores.bounds()
    chosen = ws.thresholds.get(view.key, {}).get("value", scores.default)
    value = st.slider(
        _(
            "Decision threshold: predict **{positive}** when its probability is at least",
            positive=scores.positive,
        )
        if scores.kind == "probability"
        else _(
            "Decision threshold: predict **{positive}** when its decision score is at least",
            positive=scores.positive,
        ),
        low,
        high,
        key=bind("threshold", float(min(max(chosen, low), high))),
        step=0.01,
        help=_(
            "The model's own default is {default}. Lower it to find more {positive} rows "
            "(recall up) at the cost of more false alarms (precision down).",
            default=f"{scores.default:g}",
            positive=scores.positive,
        ),
    )
    if abs(value - scores.default) < 1e-12:
        ws.thresholds.pop(view.key, None)
    else:
        ws.thresholds[view.key] = threshold.metadata(scores, value)
    point = threshold.operating_point(scores, value)
    cols = st.columns(4)
    cols[0].metric(_("Precision"), fixed(point.precision, 3), help=FORMULAS["precision"])
    cols[1].metric(
        _("Recall (true positive rate)"), fixed(point.recall, 3), help=FORMULAS["recall"]
    )
    cols[2].metric(_("False positive rate"), fixed(point.fpr, 3), help=FORMULAS["fpr"])
    cols[3].metric(_("Accuracy"), tr.number(point.accuracy, 3))
    st.caption(
        sentences(
            _(
                "At {threshold}: {tp} true positives, {fp} false positives, {fn} missed "
                "{positive} rows, {tn} true negatives on the test rows.",
                threshold=f"{value:g}",
                tp=point.tp,
                fp=point.fp,
                fn=point.fn,
                tn=point.tn,
                positive=scores.positive,
            ),
            _(
                "This threshold is used on the Predict page, in the exported model and by the "
                "service."
            )
            if view.key in ws.thresholds
            else _("This is the model's default cut-off."),
        )
    )
    return point
