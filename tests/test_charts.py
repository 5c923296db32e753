"""Charts as data: marks, encodings and row counts from ``to_dict()``; DOT and LaTeX as text."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mllib import charts, explain, samples, splits, training
from mllib.charts.latex import latex_number
from mllib.charts.text import count_text, short_number
from mllib.profile import Task, profile_table
from mllib.training import TrainConfig, TrainedModel

C, R = Task.CLASSIFICATION, Task.REGRESSION


def fit(
    frame: pd.DataFrame, target: str, algorithm: str, task: Task, **params: Any
) -> tuple[TrainedModel, explain.ModelData]:
    features = [c for c in frame.columns if c != target]
    config = TrainConfig.make(algorithm, task, target, features, params)
    model = training.train_model(frame, profile_table(frame), config)
    return model, explain.model_data(model, frame)


def sample(key: str) -> pd.DataFrame:
    return samples.load_sample(key).frame


def layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every unit chart inside a (possibly layered or concatenated) spec."""
    out = []
    for child in spec.get("layer", []) + spec.get("vconcat", []) + spec.get("hconcat", []):
        out.extend(layers(child))
    if "mark" in spec:
        out.append(spec)
    return out


def mark(unit: dict[str, Any]) -> str:
    m = unit["mark"]
    return m if isinstance(m, str) else m["type"]


def rows(spec: dict[str, Any], unit: dict[str, Any] | None = None) -> int:
    """Rows shipped to the browser: all datasets, or the one a unit chart draws."""
    if unit is None:
        return sum(len(v) for v in spec["datasets"].values())
    return len(spec["datasets"][unit["data"]["name"]])


def subtitle(spec: dict[str, Any]) -> str:
    title = spec.get("title", {})
    sub = title.get("subtitle", "") if isinstance(title, dict) else ""
    return " ".join(sub) if isinstance(sub, list) else sub


@pytest.fixture(scope="module")
def moons_svm() -> tuple[TrainedModel, explain.ModelData]:
    return fit(sample("moons"), "label", "svm", C)


# --- boundary ----------------------------------------------------------------------------------


def test_boundary_chart_rings_every_support_vector(moons_svm: Any) -> None:
    model, data = moons_svm
    b = explain.decision_boundary(model, data.X_train, data.y_train, "x1", "x2")
    spec = charts.boundary(b, model.classes, "label").to_dict()
    units = layers(spec)
    assert [mark(u) for u in units] == ["rect", "rule", "circle", "point"]
    heat, lines, dots, rings = units
    assert rows(spec, heat) == explain.BOUNDARY_RESOLUTION**2
    assert rows(spec, rings) == int(model.estimator.n_support_.sum())
    assert rings["mark"]["filled"] is False
    assert set(heat["encoding"]) >= {"x", "x2", "y", "y2", "color"}
    assert lines["encoding"]["strokeDash"]["field"] == "line"
    assert dots["encoding"]["color"]["scale"]["domain"] == model.classes
    assert rows(spec) <= explain.MAX_MARKS
    assert f"{model.estimator.n_support_.sum()} support vectors ringed" in subtitle(spec)
    assert "exact" in subtitle(spec)


def test_boundary_chart_says_when_it_samples(moons_svm: Any) -> None:
    model, data = moons_svm
    b = explain.decision_boundary(
        model, data.X_train, data.y_train, "x1", "x2", max_points=50, max_support=10
    )
    spec = charts.boundary(b, model.classes, "label").to_dict()
    rings = layers(spec)[-1]
    assert rows(spec, rings) == 10
    text = subtitle(spec)
    assert f"10 of {b.n_support} support vectors ringed" in text
    assert f"a random 50 of {model.n_train} training rows shown" in text


def test_boundary_chart_stays_under_the_cap_on_large_data() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(20_000, 3)), columns=["a", "b", "c"])
    frame["y"] = np.where(frame["a"] * frame["b"] > 0, "same", "differ")
    model, data = fit(frame, "y", "tree", C)
    b = explain.decision_boundary(model, data.X_train, data.y_train, "a", "b")
    spec = charts.boundary(b, model.classes, "y").to_dict()
    assert rows(spec) <= explain.MAX_MARKS
    assert "a slice" in subtitle(spec) and "of 15,000 training rows" in subtitle(spec)


def test_prediction_map_uses_a_continuous_colour_scale() -> None:
    model, data = fit(sample("diabetes"), "disease_progression", "ridge", R)
    b = explain.decision_boundary(model, data.X_train, data.y_train, "bmi", "s5_ltg")
    spec = charts.boundary(b, None, "disease_progression").to_dict()
    heat = layers(spec)[0]
    assert heat["encoding"]["color"]["type"] == "quantitative"
    assert spec["title"]["text"] == "Predicted disease_progression"


def test_prediction_map_colours_are_not_flattened_by_outlying_rows() -> None:
    """fair.csv: affairs reach 57 where the model predicts 0 to 3; a colour range up to 57
    drew the whole map in one colour. The range keeps the predictions and the middle rows."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.uniform(0, 1, size=(400, 2)), columns=["a", "b"])
    frame["y"] = 2 * frame["a"] + rng.normal(0, 0.1, 400)
    frame.loc[::50, "y"] = 60.0  # eight outlying rows
    model, data = fit(frame, "y", "linear", R)
    b = explain.decision_boundary(model, data.X_train, data.y_train, "a", "b")
    spec = charts.boundary(b, None, "y").to_dict()
    scale = layers(spec)[0]["encoding"]["color"]["scale"]
    low, high = scale["domain"]
    predicted = b.grid["label"]
    assert low <= predicted.min() and high >= predicted.max()
    assert predicted.max() - predicted.min() > 0.5 * (high - low)
    assert scale["clamp"] is True
    lines = spec["title"]["subtitle"]
    assert lines[-1] == "rows beyond the colour range take its end colour"  # not cut off


# --- linear models ------------------------------------------------------------------------------


def test_year_axes_have_no_thousands_separators() -> None:
    """sunspots.csv: YEAR was labelled "1,700 … 2,020" under the fitted line and the map."""
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"YEAR": np.arange(1700, 1800), "rain": rng.uniform(0, 9, 100)})
    frame["spots"] = 0.1 * frame["YEAR"] + frame["rain"]
    model, data = fit(frame[["YEAR", "spots"]], "spots", "linear", R)
    spec = charts.fitted_curve(explain.curve_view(model, data)).to_dict()
    assert layers(spec)[0]["encoding"]["x"]["axis"]["format"] == "d"
    model, data = fit(frame, "spots", "linear", R)
    b = explain.decision_boundary(model, data.X_train, data.y_train, "YEAR", "rain")
    encoding = layers(charts.boundary(b, None, "spots").to_dict())[0]["encoding"]
    assert encoding["x"]["axis"]["format"] == "d"
    assert "format" not in encoding["y"].get("axis", {})  # rain is not a year
    table, _ = explain.partial_dependence_table(model, data.X_train, "YEAR")
    assert (table["value"] % 1 == 0).all(), "whole years, not quantiles such as 1745.94"
    spec = charts.partial_dependence(table, "YEAR", True, "spots").to_dict()
    assert spec["encoding"]["x"]["axis"]["format"] == "d"


def test_fitted_line_with_residual_segments() -> None:
    model, data = fit(sample("study_hours"), "exam_score", "linear", R)
    view = explain.curve_view(model, data)
    plain = charts.fitted_curve(view).to_dict()
    assert sorted(mark(u) for u in layers(plain)) == ["circle", "line"]
    with_residuals = charts.fitted_curve(view, show_residuals=True).to_dict()
    rule = next(u for u in layers(with_residuals) if mark(u) == "rule")
    assert (
        rule["encoding"]["y"]["field"] == "actual" and rule["encoding"]["y2"]["field"] == "fitted"
    )
    assert rows(with_residuals, rule) == model.n_train + model.n_test


def test_svr_curve_shows_the_tube_and_rings() -> None:
    model, data = fit(sample("study_hours"), "exam_score", "svm", R)
    view = explain.curve_view(model, data)
    spec = charts.fitted_curve(view).to_dict()
    marks = [mark(u) for u in layers(spec)]
    assert marks.count("area") == 1 and marks.count("point") == 1
    assert "ε-tube" in subtitle(spec)
    rings = next(u for u in layers(spec) if mark(u) == "point")
    assert rows(spec, rings) == len(model.estimator.support_)


def test_probability_curve_with_a_strip_of_rows(iris: pd.DataFrame) -> None:
    model, data = fit(iris[["petal_width", "species"]], "species", "logistic", C)
    spec = charts.fitted_curve(explain.curve_view(model, data)).to_dict()
    assert "vconcat" in spec
    units = layers(spec)
    assert [mark(u) for u in units] == ["line", "tick"]
    assert units[0]["encoding"]["y"]["title"] == "probability of the class"


def test_coefficient_bars_sorted_by_size() -> None:
    table = pd.DataFrame(
        {
            "output": "y",
            "feature": [f"f{i}" for i in range(30)],
            "label": [f"f{i}" for i in range(30)],
            "raw": np.arange(30.0) - 10,
            "standardised": np.linspace(-1, 2, 30),
        }
    )
    spec = charts.coefficients(table, "y", "standardised", max_bars=25).to_dict()
    unit = layers(spec)[0]
    assert mark(unit) == "bar" and rows(spec) == 25
    order = unit["encoding"]["y"]["sort"]
    assert order[0] == "f29" and len(order) == 25
    assert "25 largest of 30" in subtitle(spec)
    raw = charts.coefficients(table, "y", "raw").to_dict()
    assert layers(raw)[0]["encoding"]["x"]["field"] == "raw"


def test_coefficient_path_marks_the_current_alpha() -> None:
    path = pd.DataFrame(
        {
            "alpha": np.repeat([0.01, 1.0, 100.0], 2),
            "feature": ["a", "b"] * 3,
            "coefficient": [2, -1, 1, -0.5, 0, 0],
        }
    )
    spec = charts.coefficient_path(path, 1.0).to_dict()
    units = layers(spec)
    assert [mark(u) for u in units] == ["line", "rule", "text"]
    assert units[0]["encoding"]["x"]["scale"]["type"] == "log"


def test_equation_has_real_weights_and_escapes_names() -> None:
    table = pd.DataFrame(
        {
            "output": "exam_score",
            "feature": ["hours_studied", "region_North"],
            "label": ["hours_studied", "region = North"],
            "raw": [6.051, -2.5e-5],
            "standardised": [10.0, -0.1],
        }
    )
    fit_ = explain.LinearFit(table, {"exam_score": 34.83}, "value", "exam_score")
    latex, note = charts.equation_latex(fit_, "exam_score")
    assert r"\text{exam\_score} = {} & 34.83 + 6.051\,\text{hours\_studied}" in latex
    assert r"- 2.5 \times 10^{-5}\,\text{[region = North]}" in latex
    assert note == ""
    latex, note = charts.equation_latex(fit_, "exam_score", max_terms=1)
    assert r"\dots" not in latex and note == ""  # "+ …" never stands for a single term
    third = pd.DataFrame(
        {"output": ["exam_score"], "feature": ["age"], "label": ["age"], "raw": [0.1],
         "standardised": [0.01]}
    )  # fmt: skip
    fit_ = explain.LinearFit(pd.concat([table, third]), {"exam_score": 34.83}, "value", "y")
    latex, note = charts.equation_latex(fit_, "exam_score", max_terms=1)
    assert r"\dots" in latex and "hours" in latex and "North" not in latex
    assert note.startswith("2 smaller term")


def test_equation_lines_with_long_names_fit_the_column() -> None:
    """star98.csv: three long names to a line ran past the page's column and were clipped."""
    names = ["PERSPEN_PCTAF", "PTRATIO_PCTAF", "PCTAF", "PERSPEN_PTRATIO", "AVYRSEXP_AVSAL"]
    raw = [7.296, 1.627, 26.52, 20.83, 0.2959]
    table = pd.DataFrame(
        {"output": "y", "feature": names, "label": names, "raw": raw,
         "standardised": [560.0, 555.0, 420.0, 210.0, 45.0]}
    )  # fmt: skip
    target = "PERSPEN_PTRATIO_PCTAF"
    latex, _ = charts.equation_latex(explain.LinearFit(table, {"y": -2043.0}, "value", target), "y")
    body = latex.split("=", 1)[1].removesuffix(r"\end{aligned}")
    for line in body.split(r"\\"):
        shown = re.sub(r"\\text\{|\}|\{|&|\\,", "", line).replace(r"\_", "_").strip()
        assert len(target) + 3 + len(shown) <= 72, shown
    assert all(name.replace("_", r"\_") in latex for name in names)


def test_log_odds_equation_for_a_binary_classifier() -> None:
    table = pd.DataFrame(
        {"output": "yes", "feature": ["x"], "label": ["x"], "raw": [1.5], "standardised": [1.0]}
    )
    latex, _ = charts.equation_latex(
        explain.LinearFit(table, {"yes": -2.0}, "log-odds", "y"), "yes"
    )
    assert latex.count(r"P(\text{yes})") == 2 and "= {} & -2 + 1.5" in latex


# --- evaluation --------------------------------------------------------------------------------


def test_confusion_matrix_counts_or_shares() -> None:
    table = explain.confusion_table(["a", "b", "b"], ["a", "a", "b"], ["a", "b"])
    counts = charts.confusion(table).to_dict()
    cells, text = layers(counts)
    assert mark(cells) == "rect" and mark(text) == "text"
    assert text["encoding"]["text"]["field"] == "count"
    shares = charts.confusion(table, normalised=True).to_dict()
    assert layers(shares)[1]["encoding"]["text"]["format"] == ".0%"


def test_roc_and_pr_curves_have_one_line_per_class() -> None:
    rng = np.random.default_rng(0)
    y = rng.choice(["a", "b", "c"], 300)
    scores = rng.random((300, 3))
    curves, areas = explain.roc_table(y, scores, ["a", "b", "c"])
    spec = charts.roc(curves, areas, ["a", "b", "c"]).to_dict()
    lines = layers(spec)
    assert len(lines) == 2 and lines[0]["encoding"]["color"]["field"] == "curve"
    assert len(lines[0]["encoding"]["color"]["scale"]["domain"]) == 3
    assert rows(spec) <= explain.MAX_MARKS
    pr, pr_areas = explain.pr_table(y, scores, ["a", "b", "c"])
    pr_spec = charts.precision_recall(pr, pr_areas, ["a", "b", "c"]).to_dict()
    assert "average precision" in layers(pr_spec)[0]["encoding"]["color"]["scale"]["domain"][0]


def test_regression_diagnostics() -> None:
    actual = np.linspace(0, 100, 8000)
    predicted = actual + np.sin(actual)
    points = explain.regression_points(actual, predicted)
    spec = charts.predicted_vs_actual(points, len(actual), "y").to_dict()
    assert [mark(u) for u in layers(spec)] == ["circle", "line"]
    assert rows(spec) == explain.SCATTER_POINTS + 2
    assert "a random 2,000 of 8,000 test rows shown" in subtitle(spec)
    residuals = charts.residuals_vs_predicted(points, len(actual)).to_dict()
    assert [mark(u) for u in layers(residuals)] == ["circle", "rule"]
    histogram = charts.residual_histogram(explain.residual_bins(actual, predicted)).to_dict()
    assert histogram["mark"]["type"] == "bar" and rows(histogram) == 30


def test_importance_bars_with_whiskers_and_partial_dependence() -> None:
    table = pd.DataFrame({"feature": ["a", "b"], "importance": [0.3, 0.1], "std": [0.05, 0.02]})
    spec = charts.importance(table, "Permutation importance").to_dict()
    assert [mark(u) for u in layers(spec)] == ["bar", "rule"]
    pd_table = pd.DataFrame({"value": [1.0, 2.0, 3.0], "output": "y", "average": [1, 2, 3]})
    numeric = charts.partial_dependence(pd_table, "x", True, "average").to_dict()
    assert numeric["mark"]["type"] == "line"
    categories = pd_table.assign(value=["p", "q", "r"])
    bars = charts.partial_dependence(categories, "x", False, "average", classes=["n", "y"])
    assert bars.to_dict()["mark"]["type"] == "bar"


# --- tree diagram ------------------------------------------------------------------------------


def node_ids(dot: str) -> set[int]:
    return {int(m) for m in re.findall(r"^  (\d+) \[label=", dot, flags=re.M)}


def test_tree_dot_has_every_node_with_its_gain(iris: pd.DataFrame) -> None:
    model, _ = fit(iris, "species", "tree", C, max_depth=None)
    table = explain.tree_table(model)
    depth = int(table["depth"].max())
    dot = charts.tree_dot(table, depth, model.classes, criterion=explain.tree_criterion(model))
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    assert node_ids(dot) == set(range(len(table)))
    assert dot.count(" -> ") == len(table) - 1
    assert "more nodes" not in dot
    root = table.iloc[0]
    assert f"decrease {short_number(root['gain'])}" in dot
    assert "class: setosa" in dot and "#4c78a8" in dot  # class colours


def test_tree_dot_cuts_deep_levels_into_stubs(iris: pd.DataFrame) -> None:
    model, _data = fit(iris, "species", "tree", C, max_depth=None)
    table = explain.tree_table(model)
    dot = charts.tree_dot(table, 1, model.classes)
    assert node_ids(dot) == set(table.loc[table["depth"] <= 1, "node"])
    cut = table[(table["depth"] == 1) & ~table["leaf"]]
    assert dot.count("more nodes") == len(cut)
    for row in cut.itertuples():
        assert f"… {row.descendants} more nodes" in dot


def test_tree_dot_highlights_the_path(iris: pd.DataFrame) -> None:
    model, data = fit(iris, "species", "tree", C, max_depth=None)
    table = explain.tree_table(model)
    row = data.X_test.iloc[[explain.longest_path_row(model, data.X_test)]]
    path = explain.decision_path(model, row)
    full = charts.tree_dot(table, 30, model.classes, path)
    assert full.count(f'color="{charts.PATH_COLOUR}", penwidth=3') == 2 * len(path) - 1
    shallow = charts.tree_dot(table, 1, model.classes, path)
    stub = next(line for line in shallow.splitlines() if f"more{path[1]} [" in line)
    assert charts.PATH_COLOUR in stub  # the path continues below the cut


def test_the_diagram_and_the_path_table_ask_the_same_questions(iris: pd.DataFrame) -> None:
    model, data = fit(iris, "species", "tree", C, max_depth=None)
    table = explain.tree_table(model)
    row = data.X_test.iloc[[explain.longest_path_row(model, data.X_test)]]
    path = explain.decision_path(model, row)
    dot = charts.tree_dot(table, 30, model.classes, path)
    steps = explain.path_steps(table, path, row).iloc[:-1]  # the last step is the leaf
    for node, question, answer in zip(path, steps["question"], steps["answer"], strict=False):
        what, test = explain.split_question(table.iloc[node])
        assert question == f"{what} {test}" and test.endswith("?")
        assert test in dot
        child = path[path.index(node) + 1]
        assert f'{node} -> {child} [label=" {answer}"' in dot


def test_tree_dot_for_regression_and_categories() -> None:
    frame = pd.DataFrame({"colour": ["red", "blue", 'say "hi"'] * 10, "y": [1.0, 5.0, 9.0] * 10})
    model, _ = fit(frame, "y", "tree", R)
    table = explain.tree_table(model)
    dot = charts.tree_dot(table, 5, None, criterion=explain.tree_criterion(model))
    assert "reduction " in dot and "variance " in dot
    assert "colour = " in dot and "?" in dot and 'label=" yes"' in dot
    assert '\\"hi\\"' in dot  # quotes escaped inside labels
    assert "value: 5" in dot


def test_split_formula_fills_in_the_numbers_of_the_node(iris: pd.DataFrame) -> None:
    model, _ = fit(iris, "species", "tree", C, criterion="entropy")
    table = explain.tree_table(model)
    node = int(table[(~table["leaf"]) & (table["depth"] == 1)].iloc[0]["node"])
    numbers = splits.split_numbers(table, node)
    latex = charts.split_latex(numbers, explain.tree_criterion(model))
    assert r"\log_2" in latex and "bits" in latex and r"\begin{aligned}" in latex
    assert latex_number(numbers.gain) in latex and latex_number(numbers.parent) in latex
    assert f"{{{count_text(numbers.n)}}}" in latex  # |D| as the denominator
    gini, _ = fit(iris, "species", "tree", C)
    g_latex = charts.split_latex(
        splits.split_numbers(explain.tree_table(gini), 0), explain.tree_criterion(gini)
    )
    assert "1 - " in g_latex and "Gini decrease" in g_latex


def test_svm_score_curve_marks_the_boundary_and_margins(iris: pd.DataFrame) -> None:
    frame = iris[iris["species"] != "setosa"][["petal_length", "species"]]
    model, data = fit(frame, "species", "svm", C)
    spec = charts.fitted_curve(explain.curve_view(model, data)).to_dict()
    top = spec["vconcat"][0]
    assert [mark(u) for u in layers(top)] == ["line", "rule", "rule"]
    assert rows(spec, layers(top)[2]) == 2  # f = −1 and f = +1
    assert "decision score" in top["title"]["text"]


# --- curves: the drawn area is the printed score ------------------------------------------------


def drawn_areas(spec: dict[str, Any], x: str, y: str) -> dict[str, float]:
    """The area under each drawn curve, computed as the browser draws it: points joined in the
    ``order`` encoding (else sorted by x, as a line mark does) with the mark's interpolation."""
    (line,) = [u for u in layers(spec) if mark(u) == "line" and "color" in u["encoding"]]
    interpolate = line["mark"].get("interpolate", "linear")
    table = pd.DataFrame(spec["datasets"][(line.get("data") or spec["data"])["name"]])
    order = line["encoding"].get("order", {}).get("field")
    areas = {}
    for name, points in table.groupby("curve"):
        points = points.sort_values(order) if order else points.sort_values(x, kind="stable")
        xs, ys = points[x].to_numpy(float), points[y].to_numpy(float)
        width = np.diff(xs)
        if interpolate == "linear":
            heights = (ys[1:] + ys[:-1]) / 2
        elif interpolate == "step-before":  # the y of the point a segment reaches
            heights = ys[1:]
        elif interpolate == "step-after":  # the y of the point a segment leaves
            heights = ys[:-1]
        else:
            raise AssertionError(f"no rule to integrate {interpolate!r}")
        areas[str(name).split(" (")[0]] = float(np.sum(width * heights))
    return areas


def curve_cases() -> list[tuple[str, np.ndarray, np.ndarray, list[str]]]:
    """Ties, perfect and random scores, two and three classes, and Iris's logistic model."""
    rng = np.random.default_rng(1)
    y3 = rng.choice(["a", "b", "c"], 400)
    tied = np.round(rng.random((400, 3)), 1)  # many equal scores: vertical ROC steps
    y2 = np.array(["no", "yes"] * 60)
    noisy = (y2 == "yes") * 0.3 + rng.random(120)
    iris = sample("iris")
    model, _ = fit(iris, "species", "logistic", C)
    return [
        ("tied three classes", y3, tied, ["a", "b", "c"]),
        ("random three classes", y3, rng.random((400, 3)), ["a", "b", "c"]),
        ("noisy two classes", y2, noisy, ["no", "yes"]),
        ("perfect two classes", y2, (y2 == "yes") + rng.random(120) * 0.1, ["no", "yes"]),
        ("iris logistic", model.y_test, model.test_scores_raw, [str(c) for c in model.classes]),
    ]


@pytest.mark.parametrize("case", curve_cases(), ids=lambda c: c[0])
def test_roc_chart_encloses_the_printed_auc(case: tuple[str, Any, Any, list[str]]) -> None:
    _, y, scores, classes = case
    curves, areas = explain.roc_table(y, scores, classes)
    spec = charts.roc(curves, areas, classes).to_dict()
    drawn = drawn_areas(spec, "fpr", "tpr")
    printed = dict(zip(areas["class"], areas["AUC"], strict=True))
    assert drawn.keys() == printed.keys()
    for label, value in printed.items():
        assert drawn[label] == pytest.approx(value, abs=1e-9), label


@pytest.mark.parametrize("case", curve_cases(), ids=lambda c: c[0])
def test_pr_chart_encloses_the_printed_average_precision(
    case: tuple[str, Any, Any, list[str]],
) -> None:
    _, y, scores, classes = case
    curves, areas = explain.pr_table(y, scores, classes)
    spec = charts.precision_recall(curves, areas, classes).to_dict()
    drawn = drawn_areas(spec, "recall", "precision")
    printed = dict(zip(areas["class"], areas["average precision"], strict=True))
    assert drawn.keys() == printed.keys()
    for label, value in printed.items():
        assert drawn[label] == pytest.approx(value, abs=1e-9), label


def test_iris_pr_curves_stay_at_precision_one() -> None:
    """Average precision 1 means precision 1 at every recall: no cliff at recall 1."""
    iris = sample("iris")
    model, _ = fit(iris, "species", "logistic", C)
    curves, areas = explain.pr_table(model.y_test, model.test_scores_raw, model.classes)
    perfect = areas.loc[areas["average precision"] == 1.0, "class"]
    assert len(perfect)
    assert curves[curves["class"].isin(perfect)]["precision"].eq(1.0).all()


def test_thinned_curves_say_so() -> None:
    rng = np.random.default_rng(0)
    y = rng.choice(["no", "yes"], 5000)
    scores = rng.random(5000)
    curves, areas = explain.roc_table(y, scores, ["no", "yes"], max_points=100)
    assert len(curves) == 100 and areas["points"].iloc[0] > 100
    assert "approximate" in subtitle(charts.roc(curves, areas, ["no", "yes"]).to_dict())
    full, full_areas = explain.roc_table(y[:600], scores[:600], ["no", "yes"])
    assert "approximate" not in subtitle(charts.roc(full, full_areas, ["no", "yes"]).to_dict())


def test_boundary_legend_lists_only_the_lines_drawn() -> None:
    """Logistic regression draws its boundary but has no margins: the legend must not list them."""
    moons = sample("moons")
    for algorithm, expected in (
        ("logistic", ["boundary (f = 0)"]),
        ("svm", ["boundary (f = 0)", "margins (f = ±1)"]),
    ):
        model, data = fit(moons, "label", algorithm, C)
        b = explain.decision_boundary(model, data.X_train, data.y_train, "x1", "x2")
        spec = charts.boundary(b, model.classes, "label").to_dict()
        (lines,) = [u for u in layers(spec) if mark(u) == "rule"]
        assert lines["encoding"]["strokeDash"]["scale"]["domain"] == expected, algorithm
        drawn = set(pd.DataFrame(spec["datasets"][lines["data"]["name"]])["line"])
        assert drawn == set(expected), algorithm


def test_one_feature_linear_regression_titles_its_fitted_line() -> None:
    frame = sample("study_hours")
    target = samples.SAMPLES["study_hours"].target
    model, data = fit(frame, target, "linear", R)
    view = explain.curve_view(model, data)
    w, b = view.line
    est = model.estimator
    assert w == pytest.approx(float(est.coef_[0])) and b == pytest.approx(float(est.intercept_))
    spec = charts.fitted_curve(view, show_residuals=True).to_dict()
    assert f"{w:.4g} × " in spec["title"]["text"]
    assert any(mark(u) == "rule" and "y2" in u["encoding"] for u in layers(spec))
    tree, tree_data = fit(frame, target, "tree", R)
    assert explain.curve_view(tree, tree_data).line is None


def test_wide_tree_diagrams_run_left_to_right() -> None:
    frame = sample("diabetes")
    model, _ = fit(frame, "disease_progression", "tree", R)
    table = explain.tree_table(model)
    assert "rankdir=TB" in charts.tree_dot(table, 1, None)  # 2 boxes side by side
    assert "rankdir=LR" in charts.tree_dot(table, 3, None)  # 8 boxes: sideways


def test_confusion_labels_stand_upright_when_class_names_are_long() -> None:
    def axis(names: list[str]) -> dict:
        table = pd.DataFrame(
            [(a, p, 1, 0.5) for a in names for p in names],
            columns=["actual", "predicted", "count", "share"],
        )
        return charts.confusion(table).to_dict()["layer"][0]["encoding"]["x"]["axis"]

    assert axis(["benign", "malignant"])["labelAngle"] == -90
    assert axis(["0", "1"])["labelAngle"] == 0
