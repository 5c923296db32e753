"""Every chart builder given a Chinese translator shows no English word outside data: titles,
subtitles, axis, legend and tooltip titles, legend labels and text marks (read as the page
check reads them), the tree diagram's boxes and the formulas' words."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import pytest

from mllib import charts, explain, metrics, samples, splits
from mllib.i18n import Translator, translator
from mllib.profile import Task
from tests.app.chinese import chart_texts, diagram_texts
from tests.test_charts import fit, sample

C, R = Task.CLASSIFICATION, Task.REGRESSION
ZH = translator("zh")
#: Abbreviations Chinese readers use as they are (docs/glossary-zh.md) and Graphviz's MAD.
KEPT = {"ROC", "AUC", "MAD", "MAE", "RMSE"}
WORD = re.compile(r"[A-Za-z]{2,}")


def english(texts: list[str], data: list[str]) -> list[str]:
    """Words of two or more Latin letters left once data names are taken out."""
    names = sorted({str(d) for d in data}, key=len, reverse=True)
    found = []
    for text in texts:
        for name in names:
            text = text.replace(name, " ")
        found.extend(w for w in WORD.findall(text) if w not in KEPT)
    return found


def data_names(frame: pd.DataFrame) -> list[str]:
    values = [str(c) for c in frame.columns]
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            values.extend(str(v) for v in frame[column].unique())
    return values


Build = Callable[[Translator | None], alt.TopLevelMixin]


def classification_cases() -> list[tuple[str, Build, list[str]]]:
    moons, iris = sample("moons"), sample("iris")
    svm, svm_data = fit(moons, "label", "svm", C)
    b = explain.decision_boundary(
        svm, svm_data.X_train, svm_data.y_train, "x1", "x2", max_points=50, max_support=10
    )
    moon_classes = [str(c) for c in svm.classes]
    logistic, logistic_data = fit(iris[["petal_width", "species"]], "species", "logistic", C)
    probability = explain.curve_view(logistic, logistic_data)
    pair = iris[iris["species"] != "setosa"][["petal_length", "species"]]
    scored, scored_data = fit(pair, "species", "svm", C)
    score = explain.curve_view(scored, scored_data)
    classes = [str(c) for c in logistic.classes]
    confusion = explain.confusion_table(logistic.y_test, logistic.y_pred, classes)
    rng = np.random.default_rng(0)
    y = rng.choice(["no", "yes"], 5000)
    roc, roc_areas = explain.roc_table(y, rng.random(5000), ["no", "yes"], max_points=100)
    pr, pr_areas = explain.pr_table(y, rng.random(5000), ["no", "yes"], max_points=100)
    roc_point = pd.DataFrame({"fpr": [0.3], "tpr": [0.6], "threshold": [0.5]})
    pr_point = pd.DataFrame({"recall": [0.6], "precision": [0.5], "threshold": [0.5]})
    scores = pd.DataFrame({"class": ["setosa", "versicolor"], "value": [0.8, 0.2]})
    dependence = pd.DataFrame(
        {"value": [1.0, 2.0] * 2, "output": ["setosa"] * 2 + ["virginica"] * 2, "average": 0.5}
    )
    moon_data = [*data_names(moons), *moon_classes]
    iris_data = data_names(iris)
    return [
        ("boundary", lambda tr: charts.boundary(b, moon_classes, "label", tr), moon_data),
        ("probability curve", lambda tr: charts.fitted_curve(probability, tr=tr), iris_data),
        ("score curve", lambda tr: charts.fitted_curve(score, tr=tr), iris_data),
        ("confusion", lambda tr: charts.confusion(confusion, tr=tr), iris_data),
        ("confusion shares", lambda tr: charts.confusion(confusion, True, tr), iris_data),
        ("roc", lambda tr: charts.roc(roc, roc_areas, ["no", "yes"], roc_point, tr), ["no", "yes"]),
        (
            "precision-recall",
            lambda tr: charts.precision_recall(pr, pr_areas, ["no", "yes"], pr_point, tr),
            ["no", "yes"],
        ),
        ("probabilities", lambda tr: charts.probability_chart(scores, tr=tr), iris_data),
        (
            "decision scores",
            lambda tr: charts.probability_chart(scores, "decision score", tr),
            iris_data,
        ),
        (
            "class dependence",
            lambda tr: charts.partial_dependence(
                dependence, "petal_width", True, "平均概率", "", classes, tr
            ),
            iris_data,
        ),
    ]


def regression_cases() -> list[tuple[str, Build, list[str]]]:
    hours, diabetes = sample("study_hours"), sample("diabetes")
    target = samples.SAMPLES["study_hours"].target
    line, line_data = fit(hours, target, "linear", R)
    curve = explain.curve_view(line, line_data)
    svr, svr_data = fit(hours, target, "svm", R)
    tube = explain.curve_view(svr, svr_data)
    ridge, ridge_data = fit(diabetes, "disease_progression", "ridge", R)
    b = explain.decision_boundary(ridge, ridge_data.X_train, ridge_data.y_train, "bmi", "s5_ltg")
    fitted = explain.linear_fit(ridge, ridge_data.X_train)
    output = next(iter(fitted.intercepts))
    actual = np.linspace(0, 100, 8000)
    predicted = actual + np.sin(actual)
    points = explain.regression_points(actual, predicted)
    bins = explain.residual_bins(actual, predicted)
    path = pd.DataFrame(
        {"alpha": np.repeat([0.01, 1.0, 100.0], 2), "feature": ["bmi", "bp"] * 3, "coefficient": 1}
    )
    importance = pd.DataFrame(
        {"feature": [f"f{i}" for i in range(30)], "importance": 0.1, "std": 0.01}
    )
    dependence = pd.DataFrame({"value": ["p", "q"], "output": "y", "average": [1.0, 2.0]})
    hours_data = data_names(hours)
    diabetes_data = [*data_names(diabetes), *fitted.table["label"]]
    return [
        ("fitted line", lambda tr: charts.fitted_curve(curve, True, tr), hours_data),
        ("ε-tube", lambda tr: charts.fitted_curve(tube, tr=tr), hours_data),
        (
            "prediction map",
            lambda tr: charts.boundary(b, None, "disease_progression", tr),
            diabetes_data,
        ),
        (
            "weights per SD",
            lambda tr: charts.coefficients(fitted.table, output, max_bars=5, tr=tr),
            diabetes_data,
        ),
        ("raw weights", lambda tr: charts.coefficients(fitted.table, output, "raw", tr=tr), []),
        ("coefficient path", lambda tr: charts.coefficient_path(path, 1.0, "", tr), ["bmi", "bp"]),
        ("predicted vs actual", lambda tr: charts.predicted_vs_actual(points, 8000, "y", tr), []),
        ("residuals", lambda tr: charts.residuals_vs_predicted(points, 8000, tr), []),
        ("residual histogram", lambda tr: charts.residual_histogram(bins, tr), []),
        (
            "importance",
            lambda tr: charts.importance(importance, "置换重要性", "", max_bars=25, tr=tr),
            [],
        ),
        (
            "dependence",
            lambda tr: charts.partial_dependence(dependence, "x", False, "平均预测值", tr=tr),
            ["y", "p", "q"],
        ),
    ]


def compare_cases() -> list[tuple[str, Build, list[str]]]:
    board = pd.DataFrame(
        {
            "algorithm": ["Decision tree", "Logistic regression"],
            "mean": [0.9, 0.8],
            "std": [0.01, 0.02],
            "low": [0.89, 0.78],
            "high": [0.91, 0.82],
            "test": [0.9, 0.81],
        }
    )
    runs = pd.DataFrame(
        {
            "run": ["Ridge regression"] * 2 + ["Decision tree"] * 2,
            "actual": [1.0, 2.0] * 2,
            "predicted": [1.1, 1.9, 0.8, 2.2],
        }
    )
    curve = pd.DataFrame(
        {
            "value": ["1", "1", "2", "2"],
            "order": [0, 0, 1, 1],
            "split": ["train", "validation"] * 2,
            "mean": [0.7, 0.65, 1.0, 0.9],
            "std": [0.01, 0.02, 0.0, 0.1],
        }
    )
    rows = curve.rename(columns={"order": "rows"}).drop(columns="value")
    return [
        ("scores", lambda tr: charts.scores_chart(board, "accuracy", True, tr), []),
        ("lower is better", lambda tr: charts.scores_chart(board, "MAE", False, tr), []),
        ("two runs", lambda tr: charts.predicted_vs_actual_chart(runs, True, tr), []),
        (
            "validation curve",
            # the page passes the parameter's label (a catalogue word) in the reader's language
            lambda tr: charts.validation_curve_chart(curve, "最大深度", "accuracy", tr),
            [],
        ),
        ("learning curve", lambda tr: charts.learning_curve_chart(rows, "R²", tr), []),
    ]


CASES = {
    "classification": classification_cases,
    "regression": regression_cases,
    "compare": compare_cases,
}


def untitled_tooltips(spec: Any) -> list[str]:
    """Tooltip fields without a title: the browser would show the table's column name."""
    if isinstance(spec, list):
        return [f for item in spec for f in untitled_tooltips(item)]
    if not isinstance(spec, dict):
        return []
    found = []
    tooltip = (spec.get("encoding") or {}).get("tooltip")
    for item in tooltip if isinstance(tooltip, list) else [tooltip] if tooltip else []:
        if isinstance(item, dict) and "field" in item and "title" not in item:
            found.append(item["field"])
    for key in ("layer", "vconcat", "hconcat"):
        found.extend(untitled_tooltips(spec.get(key)))
    return found


@pytest.mark.parametrize("group", list(CASES))
def test_every_chart_in_chinese_has_no_english_word(group: str) -> None:
    for name, build, data in CASES[group]():
        spec = build(ZH).to_dict()
        zh = chart_texts(spec)
        en = chart_texts(build(None).to_dict())
        assert zh and zh != en, name  # the chart has words, and they changed language
        assert not english(zh, data), (name, english(zh, data))
        assert not untitled_tooltips(spec), (name, untitled_tooltips(spec))


def test_the_check_finds_an_english_chart() -> None:
    hours = sample("study_hours")
    model, data = fit(hours, samples.SAMPLES["study_hours"].target, "linear", R)
    spec = charts.fitted_curve(explain.curve_view(model, data), True).to_dict()
    left = english(chart_texts(spec), data_names(hours))
    assert "residuals" in left and "fitted" in left


def test_sample_and_support_notes_in_chinese() -> None:
    for what in charts.theme.SAMPLE_NOTES:
        note = charts.sample_note(600, 1200, what, ZH)
        assert "600" in note and "1,200" in note and not english([note], []), what
    assert charts.sample_note(5, 5, "rows", ZH) == ""
    assert not english([charts.theme.support_note(None, 40, " (a random sample)", ZH)], [])


def test_the_tree_diagram_in_chinese(iris: pd.DataFrame) -> None:
    model, _ = fit(iris, "species", "tree", C, max_depth=None, criterion="entropy")
    table = explain.tree_table(model)
    dot = charts.tree_dot(table, 2, model.classes, None, explain.tree_criterion(model), ZH)
    labels = diagram_texts(dot)
    assert labels and not english(labels, data_names(iris)), english(labels, data_names(iris))
    frame = pd.DataFrame({"colour": ["red", "blue", "green"] * 10, "y": [1.0, 5.0, 9.0] * 10})
    regression, _ = fit(frame, "y", "tree", R)
    dot = charts.tree_dot(
        explain.tree_table(regression), 5, None, None, explain.tree_criterion(regression), ZH
    )
    labels = diagram_texts(dot)
    assert not english(labels, data_names(frame)), english(labels, data_names(frame))


def latex_words(latex: str) -> list[str]:
    """What the formula writes as words: the inside of every text command."""
    return [w.replace("\\_", "_") for w in re.findall(r"\\text\{([^{}]*)\}", latex)]


@pytest.mark.parametrize("criterion", ["gini", "entropy", "squared_error", "absolute_error"])
def test_split_formulas_in_chinese(iris: pd.DataFrame, criterion: str) -> None:
    regression = criterion in ("squared_error", "absolute_error")
    frame = iris.drop(columns="species") if regression else iris
    target = "petal_width" if regression else "species"
    model, _ = fit(frame, target, "tree", R if regression else C, criterion=criterion)
    table = explain.tree_table(model)
    latex = charts.split_latex(splits.split_numbers(table, 0), explain.tree_criterion(model), tr=ZH)
    words = latex_words(latex)
    assert words and not english(words, []), words
    english_words = latex_words(
        charts.split_latex(splits.split_numbers(table, 0), explain.tree_criterion(model))
    )
    assert english(english_words, []), "the check reads the formula's English words"


def test_the_equation_note_in_chinese() -> None:
    table = pd.DataFrame(
        {
            "output": "exam_score",
            "feature": ["hours_studied", "region_North", "sleep"],
            "label": ["hours_studied", "region = North", "sleep"],
            "raw": [6.051, -2.5e-5, 0.5],
            "standardised": [10.0, -0.1, 0.2],
        }
    )
    fitted = explain.LinearFit(table, {"exam_score": 34.83}, "value", "exam_score")
    latex, note = charts.equation_latex(fitted, "exam_score", max_terms=1, tr=ZH)
    assert note and "2" in note and not english([note], [])
    assert r"\text{exam\_score}" in latex  # data stays as it is


def test_metric_names_and_table_headers_in_chinese() -> None:
    labels = [m.label for ms in metrics.METRICS.values() for m in ms] + [metrics.ROC_AUC]
    shown = [ZH.text(label) for label in labels]
    assert "准确率" in shown and "F1（宏平均）" in shown
    assert not english(shown, []), shown  # R², MAE, RMSE, ROC AUC stay as Chinese readers use them
    assert not english([ZH.text(h) for h in metrics.TABLE_HEADERS], [])


def test_every_builder_takes_a_translator() -> None:
    """A new builder cannot forget the reader's language: each one that writes words takes
    ``tr`` (``titled`` is given its words; ``class_colours`` writes none)."""
    import inspect

    builders = [
        name
        for name in charts.__all__
        if inspect.isfunction(getattr(charts, name)) and name not in ("titled", "class_colours")
    ]
    assert len(builders) >= 20
    missing = [n for n in builders if "tr" not in inspect.signature(getattr(charts, n)).parameters]
    assert not missing, missing
