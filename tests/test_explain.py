"""The tables behind "See the model": computed from the fitted pipeline, checked against it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mllib import explain, samples, splits, training
from mllib.catalogue import CATALOGUE
from mllib.errors import GlassboxError
from mllib.profile import Task, profile_table
from mllib.training import TrainConfig, TrainedModel

C, R = Task.CLASSIFICATION, Task.REGRESSION


def fit(
    frame: pd.DataFrame,
    target: str,
    algorithm: str,
    task: Task,
    params: dict | None = None,
    **kwargs: object,
) -> TrainedModel:
    features = [c for c in frame.columns if c != target]
    config = TrainConfig.make(algorithm, task, target, features, params or {}, **kwargs)
    return training.train_model(frame, profile_table(frame), config)


def fit_sample(
    key: str, algorithm: str, params: dict | None = None
) -> tuple[TrainedModel, explain.ModelData]:
    dataset = samples.load_sample(key)
    profile = profile_table(dataset.frame)
    target = samples.SAMPLES[key].target
    features = [c for c in dataset.frame.columns if c != target and profile[c].usable]
    task = C if key in ("iris", "moons", "breast_cancer", "customers") else R
    config = TrainConfig.make(algorithm, task, target, features, params or {})
    model = training.train_model(dataset.frame, profile, config)
    return model, explain.model_data(model, dataset.frame)


@pytest.fixture(scope="module")
def plane() -> pd.DataFrame:
    """y = 3 + 2·x1 − 0.5·x2 exactly, x1 and x2 on very different scales."""
    rng = np.random.default_rng(0)
    x1 = rng.normal(10, 2, 200)
    x2 = rng.normal(500, 100, 200)
    return pd.DataFrame({"x1": x1, "x2": x2, "y": 3 + 2 * x1 - 0.5 * x2})


# --- rows --------------------------------------------------------------------------------------


def test_model_data_rebuilds_the_split_the_model_saw(iris: pd.DataFrame) -> None:
    model = fit(iris, "species", "tree", C)
    data = explain.model_data(model, iris)
    assert len(data.X_train) == model.n_train and len(data.X_test) == model.n_test
    assert list(data.X_train.columns) == list(model.config.features)
    assert np.array_equal(model.pipeline.predict(data.X_test), model.y_pred)
    assert list(data.y_test) == list(model.y_test)


def test_model_data_follows_a_sampled_training_run(iris: pd.DataFrame) -> None:
    model = fit(iris, "species", "logistic", C, sample_rows=100)
    data = explain.model_data(model, iris)
    assert len(data.X_train) + len(data.X_test) == 100
    assert np.array_equal(model.pipeline.predict(data.X_test), model.y_pred)


def test_model_data_refuses_data_that_changed(iris: pd.DataFrame) -> None:
    model = fit(iris, "species", "tree", C)
    with pytest.raises(GlassboxError, match="not the data"):
        explain.model_data(model, iris.iloc[:-5])
    shuffled = iris.sample(frac=1, random_state=1).reset_index(drop=True)
    with pytest.raises(GlassboxError, match="changed"):
        explain.model_data(model, shuffled)


def test_sample_rows_keeps_everything_under_the_limit() -> None:
    assert list(explain.sample_rows(5, 10)) == [0, 1, 2, 3, 4]
    picked = explain.sample_rows(1000, 10, seed=3)
    assert len(picked) == 10 and len(set(picked)) == 10 and list(picked) == sorted(picked)


# --- columns and linear models -----------------------------------------------------------------


def test_model_columns_name_the_source_of_one_hot_and_date_columns() -> None:
    model, _ = fit_sample("customers", "logistic")
    columns = explain.model_columns(model)
    region = [c for c in columns if c.source == "region"]
    assert region and all(c.category for c in region)
    assert region[0].label == f"region = {region[0].category}"
    dates = [c for c in columns if c.source == "signup_date"]
    assert {c.name for c in dates} == {
        f"signup_date_{p}" for p in ("year", "month", "day", "dayofweek")
    }
    age = next(c for c in columns if c.name == "age")
    assert age.scale > 1 and age.mean > 1  # standardised: the scaler's numbers are kept


@pytest.mark.parametrize("algorithm", ["linear", "ridge", "lasso", "linear_svm"])
def test_raw_weights_reproduce_the_models_predictions(plane: pd.DataFrame, algorithm: str) -> None:
    """intercept + Σ raw·x equals what the pipeline predicts: the conversion out of standardised
    units (and out of a standardised target for the linear SVM) is exact."""
    model = fit(
        plane, "y", algorithm, R, {"alpha": 1e-4} if algorithm in ("ridge", "lasso") else {}
    )
    fit_ = explain.linear_fit(model, plane[["x1", "x2"]])
    raw = fit_.table.set_index("feature")["raw"]
    by_hand = fit_.intercepts["y"] + plane["x1"] * raw["x1"] + plane["x2"] * raw["x2"]
    assert np.allclose(by_hand, model.pipeline.predict(plane[["x1", "x2"]]))
    if algorithm != "linear_svm":
        assert raw["x1"] == pytest.approx(2, abs=1e-2)
        assert raw["x2"] == pytest.approx(-0.5, abs=1e-3)
        assert fit_.intercepts["y"] == pytest.approx(3, abs=0.5)


def test_standardised_weights_are_raw_weights_times_the_spread(plane: pd.DataFrame) -> None:
    model = fit(plane, "y", "linear", R)
    train = plane.iloc[model.train_index]
    table = explain.linear_fit(model, train[["x1", "x2"]]).table.set_index("feature")
    for name in ("x1", "x2"):
        assert table.loc[name, "standardised"] == pytest.approx(
            table.loc[name, "raw"] * train[name].std(ddof=0)
        )
    # x2 has the smaller raw weight but the larger effect per standard deviation
    assert abs(table.loc["x2", "raw"]) < abs(table.loc["x1", "raw"])
    assert abs(table.loc["x2", "standardised"]) > abs(table.loc["x1", "standardised"])


def test_logistic_weights_give_the_log_odds() -> None:
    model, data = fit_sample("breast_cancer", "logistic")
    fit_ = explain.linear_fit(model, data.X_train)
    assert fit_.kind == "log-odds" and list(fit_.intercepts) == ["malignant"]
    raw = fit_.table.set_index("feature")["raw"]
    log_odds = fit_.intercepts["malignant"] + data.X_test[raw.index] @ raw
    assert np.allclose(log_odds, model.pipeline.decision_function(data.X_test))


def test_multiclass_logistic_has_one_equation_per_class() -> None:
    model, data = fit_sample("iris", "logistic")
    fit_ = explain.linear_fit(model, data.X_train)
    assert list(fit_.intercepts) == ["setosa", "versicolor", "virginica"]
    assert len(fit_.table) == 3 * 4


def test_kernel_svm_has_no_weights_but_linear_kernel_does() -> None:
    rbf, _ = fit_sample("moons", "svm")
    linear, _ = fit_sample("moons", "svm", {"kernel": "linear"})
    assert not explain.has_coefficients(rbf)
    assert explain.has_coefficients(linear)


def test_lasso_path_ends_at_zero_and_marks_the_models_alpha(plane: pd.DataFrame) -> None:
    model = fit(plane, "y", "lasso", R, {"alpha": 0.5})
    data = explain.model_data(model, plane)
    path, note = explain.coefficient_path(model, data.X_train, data.y_train, n_alphas=12)
    assert 0.5 in set(path["alpha"])
    assert set(path["feature"]) == {"x1", "x2"}
    largest = path[path["alpha"] == path["alpha"].max()]
    assert np.allclose(largest["coefficient"], 0)
    smallest = path[path["alpha"] == path["alpha"].min()].set_index("feature")["coefficient"]
    assert abs(smallest["x2"]) > 10  # ≈ −0.5 × sd(x2) = −50 per standard deviation
    assert note == ""


def test_coefficient_path_says_when_it_samples_rows_and_features() -> None:
    ridge, ridge_data = fit_sample("diabetes", "ridge")
    path, note = explain.coefficient_path(
        ridge, ridge_data.X_train, ridge_data.y_train, n_alphas=5, max_rows=100, max_features=4
    )
    assert path["feature"].nunique() == 4
    assert "100 of" in note and "4 largest of 10" in note


# --- one feature -------------------------------------------------------------------------------


def test_curve_view_draws_the_fitted_line() -> None:
    model, data = fit_sample("study_hours", "linear")
    view = explain.curve_view(model, data)
    assert view.value_kind == "prediction" and view.tube is None
    grid = pd.DataFrame({view.feature: view.curve["x"]})
    assert np.allclose(view.curve["value"], model.pipeline.predict(grid))
    assert np.allclose(view.points["residual"], view.points["actual"] - view.points["fitted"])
    assert view.n_rows == model.n_train + model.n_test == len(view.points)


def test_svr_curve_has_its_epsilon_tube_in_target_units() -> None:
    model, data = fit_sample("study_hours", "svm", {"epsilon": 0.5})
    view = explain.curve_view(model, data)
    scale = model.pipeline.named_steps["model"].transformer_.scale_[0]
    assert view.tube == pytest.approx(0.5 * scale)
    assert view.n_support == len(model.estimator.support_) == len(view.support)


def test_logistic_one_feature_curve_is_a_probability(iris: pd.DataFrame) -> None:
    frame = iris[["petal_length", "species"]]
    model = fit(frame, "species", "logistic", C)
    view = explain.curve_view(model, explain.model_data(model, frame))
    assert view.value_kind == "probability"
    assert set(view.curve["output"]) == {"setosa", "versicolor", "virginica"}
    totals = view.curve.groupby("x")["value"].sum()
    assert np.allclose(totals, 1)


def test_curve_view_needs_one_numeric_feature(iris: pd.DataFrame) -> None:
    model = fit(iris, "species", "tree", C)
    with pytest.raises(GlassboxError, match="exactly one numeric"):
        explain.curve_view(model, explain.model_data(model, iris))


# --- trees -------------------------------------------------------------------------------------


def test_gain_of_a_perfect_split_is_the_parents_impurity() -> None:
    frame = pd.DataFrame({"x": [0.0, 0.0, 1.0, 1.0] * 5, "y": ["a", "a", "b", "b"] * 5})
    model = fit(frame, "y", "tree", C, test_size=0.5)  # stratified: 5 + 5 training rows
    table = explain.tree_table(model)
    root = table.iloc[0]
    assert root["impurity"] == pytest.approx(0.5)
    assert root["gain"] == pytest.approx(0.5)  # children are pure
    assert table.loc[table["leaf"], "gain"].eq(0).all()


def test_shares_of_importance_add_up_to_the_feature_importances(iris: pd.DataFrame) -> None:
    model = fit(iris, "species", "tree", C, {"criterion": "entropy"})
    table = explain.tree_table(model)
    names = [c.name for c in explain.model_columns(model)]
    per_feature = table.groupby("feature")["share"].sum().reindex(names).fillna(0)
    assert np.allclose(per_feature, model.estimator.feature_importances_, atol=1e-12)
    inner = table[~table["leaf"]]
    assert (inner["descendants"] >= 2).all()
    assert table.iloc[0]["descendants"] == len(table) - 1


def entropy_bits(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log2(p)).sum())


@pytest.mark.parametrize("criterion", ["entropy", "gini"])
def test_gain_is_the_textbook_decrease_from_the_tree_arrays(
    iris: pd.DataFrame, criterion: str
) -> None:
    """IG(D, a) = H(D) − Σ |D_v|/|D| H(D_v), recomputed from class counts in tree_.value."""
    model = fit(iris, "species", "tree", C, {"criterion": criterion, "max_depth": None})
    tree = model.estimator.tree_
    n = tree.weighted_n_node_samples
    counts = tree.value[:, 0, :] * n[:, None]  # tree_.value holds class shares
    impurity = (
        np.array([entropy_bits(c) for c in counts])
        if criterion == "entropy"
        else 1 - ((counts / n[:, None]) ** 2).sum(axis=1)
    )
    assert np.allclose(impurity, tree.impurity, atol=1e-12)  # scikit-learn's entropy is in bits
    table = explain.tree_table(model)
    for row in table[~table["leaf"]].itertuples():
        left, right = int(row.left), int(row.right)
        expected = impurity[row.node] - (
            n[left] / n[row.node] * impurity[left] + n[right] / n[row.node] * impurity[right]
        )
        assert row.gain == pytest.approx(expected, abs=1e-12)


def test_root_gain_is_not_the_importance_weighting() -> None:
    """At a deeper node the textbook gain exceeds N_t/N · gain, which the old table showed."""
    data = samples.load_sample("iris").frame
    model = fit(data, "species", "tree", C, {"criterion": "entropy"})
    table = explain.tree_table(model)
    deep = table[(~table["leaf"]) & (table["depth"] >= 1)].iloc[0]
    weighted = deep["gain"] * deep["weighted_samples"] / table.iloc[0]["weighted_samples"]
    assert deep["gain"] > weighted > 0


def test_regression_gain_is_the_variance_reduction() -> None:
    rng = np.random.default_rng(0)
    x = rng.random(200)
    frame = pd.DataFrame({"x": x, "y": np.where(x > 0.5, 10.0, 0.0) + rng.normal(0, 1, 200)})
    model = fit(frame, "y", "tree", R, {"max_depth": 1})
    table = explain.tree_table(model)
    data = explain.model_data(model, frame)
    y = data.y_train.to_numpy(float)
    go_left = data.X_train["x"].to_numpy() <= table.iloc[0]["threshold"]
    expected = y.var() - (go_left.mean() * y[go_left].var() + (~go_left).mean() * y[~go_left].var())
    assert table.iloc[0]["gain"] == pytest.approx(expected, rel=1e-9)
    assert explain.tree_criterion(model).gain == "variance reduction"


def test_split_numbers_and_table_name_the_gain_in_the_criterions_words(iris: pd.DataFrame) -> None:
    model = fit(iris, "species", "tree", C, {"criterion": "entropy"})
    table = explain.tree_table(model)
    words = explain.tree_criterion(model)
    assert (words.gain, words.unit) == ("information gain", "bits")
    shown = splits.split_table(table, "entropy")
    assert list(shown.columns).count("information gain (bits)") == 1
    root = shown.iloc[0]
    assert root["rows yes"] + root["rows no"] == root["rows"]
    numbers = splits.split_numbers(table, 0)
    assert numbers.n == numbers.n_left + numbers.n_right
    assert numbers.gain == pytest.approx(
        numbers.parent
        - numbers.n_left / numbers.n * numbers.left
        - numbers.n_right / numbers.n * numbers.right
    )
    with pytest.raises(ValueError, match="leaf"):
        splits.split_numbers(table, int(table[table["leaf"]].iloc[0]["node"]))


def test_decision_path_ends_in_the_leaf_the_tree_uses(iris: pd.DataFrame) -> None:
    model = fit(iris, "species", "tree", C)
    data = explain.model_data(model, iris)
    table = explain.tree_table(model)
    for i in range(5):
        row = data.X_test.iloc[[i]]
        path = explain.decision_path(model, row)
        assert path[0] == 0 and bool(table.iloc[path[-1]]["leaf"])
        assert path[-1] == model.estimator.apply(explain.transform(model, row))[0]
        steps = explain.path_steps(table, path, row)
        assert len(steps) == len(path)
        assert steps.iloc[-1]["answer"] == model.pipeline.predict(row)[0]


def test_path_steps_ask_about_categories_in_words() -> None:
    frame = pd.DataFrame(
        {"colour": ["red", "blue", "green", "red"] * 10, "y": ["yes", "no", "no", "yes"] * 10}
    )
    model = fit(frame, "y", "tree", C)
    table = explain.tree_table(model)
    row = frame[["colour"]].iloc[[0]]
    steps = explain.path_steps(table, explain.decision_path(model, row), row)
    first = steps.iloc[0]
    assert first["question"].startswith("colour = ") and first["question"].endswith("?")
    assert first["this row"] == "red"
    assert first["answer"] == ("yes" if first["question"] == "colour = red?" else "no")


def test_path_steps_show_the_date_part_a_question_reads() -> None:
    """A question on date_year showed the whole date ("2015/12/07") beside "≤ 2012?"."""
    years = [2012, 2013, 2014, 2015] * 10
    frame = pd.DataFrame(
        {
            "when": [f"{y}/0{1 + i % 9}/1{i % 9}" for i, y in enumerate(years)],
            "y": ["early" if y < 2014 else "late" for y in years],
        }
    )
    model = fit(frame, "y", "tree", C)
    table = explain.tree_table(model)
    row = frame[["when"]].iloc[[3]]
    first = explain.path_steps(table, explain.decision_path(model, row), row).iloc[0]
    assert first["question"].startswith("when_year ≤ ")
    assert first["this row"] == f"{row['when'].iloc[0]} (year 2015)"


def test_longest_path_row_and_shown_depth() -> None:
    model, data = fit_sample("diabetes", "tree", {"max_depth": None})
    table = explain.tree_table(model)
    row = explain.longest_path_row(model, data.X_test)
    longest = len(explain.decision_path(model, data.X_test.iloc[[row]]))
    assert all(
        len(explain.decision_path(model, data.X_test.iloc[[i]])) <= longest for i in range(20)
    )
    depth = explain.shown_depth(table, 30, max_nodes=40)
    assert int((table["depth"] <= depth).sum()) <= 40 < int((table["depth"] <= depth + 1).sum())
    assert explain.shown_depth(table, 2) == 2


def test_tree_rules_are_cut_with_a_note() -> None:
    model, _ = fit_sample("diabetes", "tree", {"max_depth": None})
    text = explain.tree_rules(model, max_depth=30, max_chars=500)
    assert len(text) < 600 and "cut at 500 characters" in text
    assert "s5_ltg" in explain.tree_rules(model, max_depth=2)


def test_tree_importances_are_sorted_shares() -> None:
    model, _ = fit_sample("iris", "tree")
    table = explain.tree_importances(model)
    assert table["importance"].sum() == pytest.approx(1)
    assert table["importance"].is_monotonic_decreasing


# --- boundary ----------------------------------------------------------------------------------


def test_boundary_of_a_two_feature_svm_is_exact_and_rings_every_support_vector() -> None:
    model, data = fit_sample("moons", "svm")
    b = explain.decision_boundary(model, data.X_train, data.y_train, "x1", "x2", resolution=40)
    assert b.exact and b.value_kind == "class" and len(b.grid) == 40 * 40
    assert b.n_support == int(model.estimator.n_support_.sum()) == len(b.support)
    assert sum(b.support_per_class.values()) == b.n_support
    assert b.levels == (-1.0, 0.0, 1.0) and set(b.contours["level"]) == {-1.0, 0.0, 1.0}
    assert b.marks <= explain.MAX_MARKS
    centres = pd.DataFrame(
        {"x1": (b.grid["x"] + b.grid["x2"]) / 2, "x2": (b.grid["y"] + b.grid["y2"]) / 2}
    )
    assert (model.pipeline.predict(centres) == b.grid["label"]).all()  # the model itself
    assert b.grid["strength"].between(0, 1).all()


def test_support_vectors_are_training_rows() -> None:
    model, data = fit_sample("moons", "svm")
    b = explain.decision_boundary(model, data.X_train, data.y_train, "x1", "x2")
    vectors = model.pipeline.named_steps["prep"].transform(data.X_train)[model.estimator.support_]
    assert np.allclose(vectors, model.estimator.support_vectors_)
    assert np.allclose(
        np.sort(b.support["x"]), np.sort(data.X_train["x1"].iloc[model.estimator.support_])
    )


def test_boundary_slice_holds_the_other_features_and_can_move(iris: pd.DataFrame) -> None:
    model = fit(iris, "species", "logistic", C)
    data = explain.model_data(model, iris)
    defaults = explain.slice_defaults(model, data.X_train)
    assert defaults["sepal_length"] == pytest.approx(data.X_train["sepal_length"].median())
    b = explain.decision_boundary(model, data.X_train, data.y_train, "petal_length", "petal_width")
    assert not b.exact and set(b.fixed) == {"sepal_length", "sepal_width"}
    moved = explain.decision_boundary(
        model,
        data.X_train,
        data.y_train,
        "petal_length",
        "petal_width",
        fixed={"sepal_length": 4.0, "sepal_width": 4.5},
    )
    assert moved.fixed["sepal_length"] == 4.0
    assert not moved.grid["label"].equals(b.grid["label"])
    assert b.n_support is None and b.contours.empty  # three classes: no single f = 0 line


def test_boundary_caps_points_on_large_data() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(6000, 3)), columns=["a", "b", "c"])
    frame["y"] = np.where(frame["a"] + frame["b"] > 0, "up", "down")
    model = fit(frame, "y", "logistic", C)
    data = explain.model_data(model, frame)
    b = explain.decision_boundary(model, data.X_train, data.y_train, "a", "b")
    assert len(b.points) == explain.BOUNDARY_POINTS and b.n_train == 4500
    assert b.marks <= explain.MAX_MARKS
    assert set(b.contours["level"]) == {0.0}  # logistic: the boundary, no margins


def test_boundary_of_a_regression_is_a_prediction_map() -> None:
    model, data = fit_sample("diabetes", "tree")
    b = explain.decision_boundary(model, data.X_train, data.y_train, "bmi", "s5_ltg")
    assert b.value_kind == "value" and b.contours.empty
    assert b.grid["label"].dtype.kind == "f"


def test_boundary_with_categorical_features_held_at_the_mode() -> None:
    model, data = fit_sample("customers", "tree")
    defaults = explain.slice_defaults(model, data.X_train)
    assert defaults["region"] == data.X_train["region"].mode().iloc[0]
    assert isinstance(defaults["signup_date"], str) and defaults["signup_date"][:2] == "20"
    b = explain.decision_boundary(model, data.X_train, data.y_train, "age", "tenure_months")
    assert len(b.grid) == explain.BOUNDARY_RESOLUTION**2
    assert "North" in explain.category_options(data.X_train, "region")


def test_boundary_refuses_bad_axes(iris: pd.DataFrame) -> None:
    model = fit(iris, "species", "tree", C)
    data = explain.model_data(model, iris)
    with pytest.raises(GlassboxError, match="different"):
        explain.decision_boundary(model, data.X_train, data.y_train, "petal_length", "petal_length")
    with pytest.raises(GlassboxError, match="not a numeric feature"):
        explain.decision_boundary(model, data.X_train, data.y_train, "species", "petal_length")


def test_suggested_axes_are_the_features_the_model_uses_most(iris: pd.DataFrame) -> None:
    tree = fit(iris, "species", "tree", C)
    data = explain.model_data(tree, iris)
    assert set(explain.suggest_axes(tree, data.X_train, data.y_train)) == {
        "petal_length",
        "petal_width",
    }
    svm = fit(iris, "species", "svm", C)  # no importances: the features most tied to the class
    assert set(explain.suggest_axes(svm, data.X_train, data.y_train)) == {
        "petal_length",
        "petal_width",
    }
    frame = iris.assign(noise=np.random.default_rng(0).normal(size=len(iris)))
    frame = frame.assign(target=frame["petal_length"] * 2 + frame["sepal_width"])
    frame = frame.drop(columns="species")
    svr = fit(frame, "target", "svm", R)
    svr_data = explain.model_data(svr, frame)
    first, _ = explain.suggest_axes(svr, svr_data.X_train, svr_data.y_train)
    assert first == "petal_length"


def test_contours_of_a_plane_lie_on_the_line() -> None:
    xs, ys = np.linspace(0, 1, 21), np.linspace(0, 2, 31)
    gx, _ = np.meshgrid(xs, ys)
    segments = explain.contour_segments(xs, ys, gx - 0.33, (0.0,))
    assert len(segments) == len(ys) - 1
    assert np.allclose(segments[["x", "x2"]], 0.33)


def test_contours_of_a_saddle_end_on_zero_crossings() -> None:
    xs, ys = np.linspace(-1, 1, 25), np.linspace(-1, 1, 25)
    gx, gy = np.meshgrid(xs, ys)
    values = (gx - 0.3) * (gy + 0.2)  # bilinear: exact zeros along every cell edge
    segments = explain.contour_segments(xs, ys, values, (0.0,))
    for px, py in (("x", "y"), ("x2", "y2")):
        f = (segments[px] - 0.3) * (segments[py] + 0.2)
        assert np.allclose(f, 0, atol=1e-9)
    levels = explain.contour_segments(xs, ys, np.hypot(gx, gy), (0.5, 9.0))
    radius = np.hypot(levels["x"], levels["y"])
    assert set(levels["level"]) == {0.5} and np.allclose(radius, 0.5, atol=0.01)


# --- evaluation --------------------------------------------------------------------------------


def test_confusion_table_counts_and_shares() -> None:
    table = explain.confusion_table(
        ["a", "a", "b", "b", "b"], ["a", "b", "b", "b", "a"], ["a", "b", "c"]
    )
    cell = table.set_index(["actual", "predicted"])
    assert cell.loc[("a", "a"), "count"] == 1 and cell.loc[("b", "b"), "count"] == 2
    assert cell.loc[("b", "a"), "share"] == pytest.approx(1 / 3)
    assert cell.loc[("c", "c"), "share"] == 0  # an absent class is a row of zeros
    assert len(table) == 9
    report = explain.class_report(table).set_index("class")
    assert report.loc["a", "recall"] == 0.5 and report.loc["b", "precision"] == pytest.approx(2 / 3)
    assert np.isnan(report.loc["c", "precision"])


def test_roc_and_pr_for_two_classes_use_the_positive_class() -> None:
    y = np.array(["no", "yes"] * 50)
    scores = np.where(y == "yes", 0.9, 0.1) + np.linspace(0, 0.05, 100)
    _, areas = explain.roc_table(y, scores, ["no", "yes"])
    assert list(areas["class"]) == ["yes"] and areas["AUC"].iloc[0] == 1.0
    _, ap = explain.pr_table(y, np.column_stack([1 - scores, scores]), ["no", "yes"])
    assert ap["average precision"].iloc[0] == 1.0 and ap["base rate"].iloc[0] == 0.5


def test_roc_one_vs_rest_and_thinning() -> None:
    rng = np.random.default_rng(0)
    y = rng.choice(["a", "b", "c"], 3000)
    scores = rng.random((3000, 3))
    curves, areas = explain.roc_table(y, scores, ["a", "b", "c"], max_points=50)
    assert list(areas["class"]) == ["a", "b", "c"]
    assert curves.groupby("class").size().max() <= 50
    assert areas["AUC"].between(0.4, 0.6).all()
    assert explain.roc_table(y, None, ["a", "b", "c"])[0].empty


def test_regression_points_and_residual_bins() -> None:
    actual, predicted = np.arange(10_000.0), np.arange(10_000.0) + 1
    points = explain.regression_points(actual, predicted, max_points=500)
    assert len(points) == 500 and np.allclose(points["residual"], -1)
    bins = explain.residual_bins(actual, predicted + np.linspace(-3, 3, 10_000), bins=20)
    assert bins["count"].sum() == 10_000 and len(bins) == 20


def test_permutation_importance_finds_the_signal() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"signal": rng.normal(size=400), "noise": rng.normal(size=400)})
    frame["y"] = 3 * frame["signal"] + rng.normal(scale=0.1, size=400)
    model = fit(frame, "y", "linear", R)
    data = explain.model_data(model, frame)
    table, rows = explain.permutation_table(model, data.X_test, data.y_test, n_repeats=3)
    assert rows == model.n_test
    assert list(table["feature"]) == ["signal", "noise"]
    assert table["importance"].iloc[0] > 1 > abs(table["importance"].iloc[1])


def test_kernel_svm_permutation_uses_fewer_rows() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=2400), "b": rng.normal(size=2400)})
    frame["y"] = np.where(frame["a"] > 0, "p", "n")
    model = fit(frame, "y", "svm", C)
    data = explain.model_data(model, frame)
    _, rows = explain.permutation_table(model, data.X_test, data.y_test, n_repeats=1)
    assert rows == explain.KERNEL_PERMUTATION_ROWS


def test_partial_dependence_of_a_line_has_its_slope(plane: pd.DataFrame) -> None:
    model = fit(plane, "y", "linear", R)
    data = explain.model_data(model, plane)
    table, rows = explain.partial_dependence_table(model, data.X_train, "x1", grid_points=10)
    slope = np.diff(table["average"]) / np.diff(table["value"].astype(float))
    assert np.allclose(slope, 2) and rows == len(data.X_train)


def test_partial_dependence_for_classes_and_categories() -> None:
    model, data = fit_sample("customers", "tree")
    table, _ = explain.partial_dependence_table(model, data.X_train, "region")
    assert set(table["output"]) == {"yes"}  # two classes: the positive one
    assert set(table["value"]) <= set(data.X_train["region"].astype(str))
    assert table["average"].between(0, 1).all()
    svm, svm_data = fit_sample("iris", "svm")
    shares, _ = explain.partial_dependence_table(svm, svm_data.X_train, "petal_length")
    totals = shares.groupby("value")["average"].sum()
    assert np.allclose(totals, 1)  # no probabilities: shares of predicted classes
    assert "signup_date" not in explain.dependence_features(model)


def test_every_parameter_says_what_it_does_to_the_pictures() -> None:
    for key, spec in CATALOGUE.items():
        for param in spec.params:
            assert param.effect.strip(), (key, param.name)
            assert param.effect != param.help, (key, param.name)  # not the slider's tooltip again
