"""See the model through AppTest: every view of every algorithm and task renders, and the
controls (depth, row, axes, held values, toggles) change what is drawn."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from mllib import catalogue
from mllib.profile import Task
from tests.app.helpers import assert_healthy, texts

MODEL = "pages/model.py"
SAMPLE_FOR = {Task.CLASSIFICATION: "iris", Task.REGRESSION: "diabetes"}
CASES = [
    (SAMPLE_FOR[task], spec.key) for spec in catalogue.CATALOGUE.values() for task in spec.tasks
] + [
    ("moons", "svm"),  # two features: the exact boundary
    ("study_hours", "linear"),  # one feature: the fitted line
    ("study_hours", "svm"),  # one feature: the ε-tube
    ("study_hours", "tree"),
    ("customers", "logistic"),  # categories, booleans and dates
    ("customers", "tree"),
    ("breast_cancer", "linear_svm"),
]


def open_model(app: Any, sample: str, algorithm: str) -> Any:
    """The real flow: pick the sample on Data, the algorithm on Train, then See the model."""
    at = app("pages/data.py")
    at.selectbox(key="sample").select(sample).run()
    at.switch_page("pages/train.py").run()
    at.selectbox(key="algorithm").select(algorithm).run()
    assert_healthy(at)
    at.switch_page(MODEL).run()
    assert_healthy(at)
    return at


def show(at: Any, tab: str) -> Any:
    at.session_state["model_tab"] = tab
    at.run()
    assert_healthy(at)
    return at


def specs(at: Any) -> list[dict[str, Any]]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def chart_data(at: Any, index: int = 0) -> list[bytes]:
    """The Arrow bytes a chart ships (Streamlit moves the datasets out of the spec)."""
    return [d.data.SerializeToString() for d in at.get("vega_lite_chart")[index].proto.datasets]


def marks(spec: dict[str, Any]) -> list[str]:
    out = []
    for child in spec.get("layer", []) + spec.get("vconcat", []):
        out.extend(marks(child))
    if "mark" in spec:
        m = spec["mark"]
        out.append(m if isinstance(m, str) else m["type"])
    return out


def dot(at: Any) -> str:
    charts = at.get("graphviz_chart")
    assert charts, "no tree diagram"
    return charts[0].proto.spec


def tab_labels(at: Any) -> list[str]:
    return [t.label for t in at.tabs]


@pytest.mark.parametrize(("sample", "algorithm"), CASES)
def test_every_view_renders(app: Any, sample: str, algorithm: str) -> None:
    at = open_model(app, sample, algorithm)
    labels = tab_labels(at)
    assert labels[0] == "Model" and labels[-3:] == ["Evaluation", "Importance", "How it works"]
    spec = catalogue.get_spec(algorithm)
    for label in labels:
        show(at, label)
        drawn = specs(at)
        if label == "Model":
            if spec.model_view == "diagram":
                assert dot(at).startswith("digraph")
            elif spec.model_view == "weights":
                assert at.get("latex"), "no equation"
            else:
                assert drawn or at.get("latex")
        elif label in ("Boundary", "Prediction map"):
            assert marks(drawn[0])[0] == "rect"
        elif label == "Evaluation":
            assert len(drawn) >= 3
        elif label == "Importance":
            assert len(drawn) >= 2
        else:
            assert any(spec.name in t for t in texts(at, "subheader"))
            assert any(spec.formula in t for t in texts(at, "latex"))  # from the spec
            task = at.session_state["glassbox_workspace"].model.task
            first = spec.params_for(task)[0]  # applies whatever the other settings are
            assert any(first.effect in t for t in texts(at, "markdown")), first.name


def test_without_a_model_the_page_trains_the_default_and_says_so(app: Any) -> None:
    at = app(MODEL)
    assert_healthy(at)
    assert any("No model was trained yet" in c for c in texts(at, "caption"))
    assert at.session_state["glassbox_workspace"].model.spec.key == "logistic"
    assert at.get("vega_lite_chart"), "the default model is drawn"


def test_without_trainable_data_the_page_points_to_train(app: Any) -> None:
    at = app("pages/data.py")
    at.multiselect(key="features").set_value([]).run()
    at.switch_page(MODEL).run()
    assert_healthy(at)
    assert any("Train a model first" in t for t in texts(at, "info"))


def test_tree_depth_and_row_change_the_diagram(app: Any) -> None:
    at = open_model(app, "diabetes", "tree")
    first = dot(at)
    assert "more nodes" in first
    at.slider(key="tree_depth").set_value(1).run()
    shallow = dot(at)
    assert shallow.count("[label=") < first.count("[label=")
    at.slider(key="tree_depth").set_value(5).run()
    assert "more nodes" not in dot(at)
    before = at.dataframe[0].value
    at.number_input(key="tree_row").set_value(3).run()
    assert_healthy(at)
    assert not at.dataframe[0].value.equals(before)  # another row, another path
    assert at.get("code"), "the rules as text"


def test_tree_split_formula_is_filled_in_for_the_chosen_node(app: Any) -> None:
    at = app("pages/data.py")
    at.selectbox(key="sample").select("iris").run()
    at.switch_page("pages/train.py").run()
    at.selectbox(key="algorithm").select("tree").run()
    at.selectbox(key="p_tree_criterion").select("Entropy (information gain)").run()
    at.switch_page(MODEL).run()
    assert_healthy(at)
    assert "gain " in dot(at) and "bits" in dot(at)
    table = at.dataframe[1].value
    assert "information gain (bits)" in table.columns and "share of importance" in table.columns
    formulas = [str(e.value) for e in at.get("latex")]
    assert any(r"\log_2" in f and "bits" in f for f in formulas)
    other = int(table["node"].iloc[-1])
    at.selectbox(key="split_node").select(other).run()
    assert_healthy(at)
    gain = table.loc[table["node"] == other, "information gain (bits)"].iloc[0]
    assert any(f"{gain:.4g}" in str(e.value) for e in at.get("latex"))


def test_svm_dual_tables_and_one_rows_sum(app: Any) -> None:
    at = open_model(app, "iris", "svm")
    frames = [d.value for d in at.dataframe]
    support = next(f for f in frames if "αᵢ" in f.columns)
    assert {"class", "yᵢ", "yᵢ f(xᵢ)", "where"} <= set(support.columns)
    assert any("scaled" in c for c in support.columns)
    assert any("more" in str(e.value) or "sum_i" in str(e.value) for e in at.get("latex"))
    assert any("after** preprocessing" in str(c.value) for c in at.caption)
    at.selectbox(key="dual_pair").select_index(2).run()
    at.number_input(key="dual_row").set_value(5).run()
    assert_healthy(at)
    note = next(str(c.value) for c in at.caption if "decision function gives" in str(c.value))
    total, check = re.search(r"plus b is (\S+); .* gives (\S+) for", note).groups()
    assert float(total) == pytest.approx(float(check), abs=1e-5)
    at.switch_page("pages/train.py").run()
    at.selectbox(key="p_svm_kernel").select("linear").run()
    at.switch_page(MODEL).run()
    assert_healthy(at)
    assert any("2 / ‖w‖" in m.label for m in at.metric)
    assert any("w = Σ αᵢ yᵢ xᵢ" in f.columns for f in (d.value for d in at.dataframe))


def test_svm_boundary_axes_and_held_values(app: Any) -> None:
    at = open_model(app, "iris", "svm")
    boundary = specs(at)[0]
    assert marks(boundary)[:1] == ["rect"] and "point" in marks(boundary)
    assert {m.label for m in at.metric} >= {"Support vectors", "of class setosa"}
    at.selectbox(key="boundary_x").select("sepal_length").run()
    at.selectbox(key="boundary_y").select("sepal_width").run()
    assert_healthy(at)
    assert specs(at)[0]["layer"][0]["encoding"]["x"]["title"] == "sepal_length"
    before = chart_data(at)
    at.number_input(key="hold_petal_length").set_value(6.5).run()
    assert_healthy(at)
    assert chart_data(at) != before
    assert any("petal_length = 6.5" in t for t in texts(at, "caption"))
    at.selectbox(key="boundary_y").select("sepal_length").run()
    assert any("two different features" in t for t in texts(at, "warning"))


def test_linear_views_toggle_residuals_and_units(app: Any) -> None:
    at = open_model(app, "study_hours", "linear")
    assert "rule" in marks(specs(at)[0])  # y = wx + b is shown with its residuals
    assert " × hours" in specs(at)[0]["title"]["text"]
    at.toggle(key="show_residuals").set_value(False).run()
    assert "rule" not in marks(specs(at)[0])
    at.segmented_control(key="coef_units").set_value("raw").run()
    assert_healthy(at)
    assert specs(at)[1]["encoding"]["x"]["field"] == "raw"


def test_least_squares_inference_and_why_not_for_lasso(app: Any) -> None:
    at = open_model(app, "diabetes", "linear")
    table = next(d.value for d in at.dataframe if "p-value" in d.value.columns)
    assert {"std. error", "t", "95% CI low", "95% CI high"} <= set(table.columns)
    assert table["term"].iloc[0] == "intercept"
    labels = [m.label for m in at.metric]
    assert "R²" in labels and "Adjusted R²" in labels and any(x.startswith("F (") for x in labels)
    lasso = open_model(app, "diabetes", "lasso")
    assert not any("p-value" in d.value.columns for d in lasso.dataframe)
    assert any("No p-values for Lasso" in t for t in texts(lasso, "info"))


def test_lasso_shows_its_coefficient_path(app: Any) -> None:
    at = open_model(app, "diabetes", "lasso")
    path = specs(at)[-1]
    assert marks(path) == ["line", "rule", "text"]
    assert any("Lasso weights reach exactly zero" in t for t in texts(at, "caption"))


def test_evaluation_and_importance_controls(app: Any) -> None:
    at = open_model(app, "iris", "logistic")
    show(at, "Evaluation")
    at.toggle(key="cm_normalise").set_value(True).run()
    assert_healthy(at)
    text_layer = specs(at)[0]["layer"][1]
    assert text_layer["encoding"]["text"]["field"] == "share"
    show(at, "Importance")
    at.selectbox(key="pd_feature").select("sepal_width").run()
    assert_healthy(at)
    assert specs(at)[-1]["encoding"]["x"]["title"] == "sepal_width"


def test_threshold_moves_counts_and_points_and_reaches_predict(app: Any) -> None:
    at = open_model(app, "breast_cancer", "logistic")
    show(at, "Evaluation")
    before = {m.label: m.value for m in at.metric}
    counts_before = chart_data(at, 0)
    roc_layers = specs(at)[1]["layer"]
    assert any(layer["mark"]["type"] == "point" for layer in roc_layers if "mark" in layer)
    at.slider(key="threshold").set_value(0.05).run()
    assert_healthy(at)
    after = {m.label: m.value for m in at.metric}
    assert float(after["Recall (true positive rate)"]) >= float(
        before["Recall (true positive rate)"]
    )
    assert float(after["Precision"]) < float(before["Precision"])
    assert chart_data(at, 0) != counts_before  # the confusion matrix follows the threshold
    assert any("used on the Predict page" in t for t in texts(at, "caption"))
    at.switch_page("pages/predict.py").run()
    assert_healthy(at)
    assert any("Decision threshold: P(" in t and "0.05" in t for t in texts(at, "caption"))


def test_a_model_of_other_data_asks_to_retrain(app: Any) -> None:
    at = open_model(app, "iris", "tree")
    at.session_state["glassbox_workspace"].model.data_fingerprint = "something else"
    at.run()
    assert_healthy(at)
    assert any("data changed" in t for t in texts(at, "warning"))


def test_least_squares_with_categories_names_the_reference_and_shows_the_table(app: Any) -> None:
    """Every table with a category used to refuse the OLS table (one-hot + intercept)."""
    at = app("pages/data.py")
    at.selectbox(key="sample").select("customers").run()
    at.selectbox(key="target").select("monthly_spend").run()
    at.switch_page("pages/train.py").run()
    at.selectbox(key="algorithm").select("linear").run()
    assert_healthy(at)
    at.switch_page(MODEL).run()
    assert_healthy(at)
    table = next(d.value for d in at.dataframe if "p-value" in d.value.columns)
    assert table["std. error"].notna().all()
    caption = next(c for c in texts(at, "caption") if "is the reference" in c)
    assert "region = " in caption and "plan = " in caption
