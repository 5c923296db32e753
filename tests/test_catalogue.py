"""Every hyperparameter the catalogue declares is held against scikit-learn itself.

The widgets are drawn from these records, so a name scikit-learn does not know, a range end it
rejects or a deprecated choice would reach users as a traceback. Here each one is built inside
the real pipeline and fitted on a small dataset at the low end, the default and the high end.
"""

from __future__ import annotations

import math
import warnings
from functools import cache
from typing import Any

import pandas as pd
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning

from mllib.catalogue import CATALOGUE, ModelSpec, Param, get_spec, log_grid, specs_for
from mllib.pipeline import build_pipeline
from mllib.profile import TableProfile, Task, profile_table
from mllib.samples import load_sample

C, R = Task.CLASSIFICATION, Task.REGRESSION


@cache
def small_data(task: Task) -> tuple[pd.DataFrame, pd.Series, TableProfile]:
    """Iris (150 rows) for classes, the first 200 diabetes rows for numbers."""
    if task == C:
        frame, target = load_sample("iris").frame, "species"
    else:
        frame, target = load_sample("diabetes").frame.head(200), "disease_progression"
    features = [c for c in frame.columns if c != target]
    return frame[features], frame[target], profile_table(frame[features])


def grid_values(param: Param) -> list[Any]:
    """Low end, default and high end of a range (plus its specials); every choice."""
    if param.kind in ("choice", "bool"):
        return param.options()
    assert param.low is not None and param.high is not None
    cast = int if param.kind == "int" else float
    values = [cast(param.low), param.default, cast(param.high)]
    values += [v for _, v in param.specials if v != param.default]
    return values


def enabling_values(param: Param) -> dict[str, Any]:
    """Other parameters set so that ``param`` applies (``degree`` needs the poly kernel)."""
    return {other: allowed[0] for other, allowed in param.when.items()}


def inner(estimator: Any) -> Any:
    """The estimator whose parameters the spec sets (SVM regression wraps it)."""
    if isinstance(estimator, TransformedTargetRegressor):
        return estimator.regressor
    return estimator


FIT_CASES = [
    pytest.param(spec, task, param, value, id=f"{spec.key}-{task.value}-{param.name}={value!r}")
    for spec in CATALOGUE.values()
    for task in sorted(spec.tasks)
    for param in spec.params_for(task)
    for value in grid_values(param)
]


@pytest.mark.parametrize(("spec", "task", "param", "value"), FIT_CASES)
def test_every_range_end_fits_inside_the_real_pipeline(
    spec: ModelSpec, task: Task, param: Param, value: Any
) -> None:
    X, y, profile = small_data(task)
    values = {**enabling_values(param), param.name: value}
    pipe, _ = build_pipeline(spec, task, values, profile, list(X.columns))
    model = inner(pipe.named_steps["model"])
    expected = value
    if spec.resolve is not None:  # e.g. the solver follows the penalty
        expected = spec.resolve({param.name: value})[param.name]
    assert model.get_params()[param.name] == expected  # really passed on, not dropped
    with warnings.catch_warnings():
        # Range ends may stop early (e.g. max_iter=100); that is reported, not an error.
        # FutureWarning and scikit-learn DeprecationWarning stay errors (pyproject).
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X, y)
    predictions = pipe.predict(X.head(5))
    assert len(predictions) == 5


def test_the_fit_grid_covers_every_parameter_of_every_spec() -> None:
    covered = {(c.values[0].key, c.values[1], c.values[2].name) for c in FIT_CASES}
    declared = {
        (spec.key, task, p.name)
        for spec in CATALOGUE.values()
        for task in spec.tasks
        for p in spec.params_for(task)
    }
    assert covered == declared
    assert len(FIT_CASES) >= 100


@pytest.mark.parametrize("spec", CATALOGUE.values(), ids=lambda s: s.key)
def test_every_declared_name_is_a_parameter_of_its_estimator(spec: ModelSpec) -> None:
    for task in spec.tasks:
        accepted = set(spec.estimators[task]().get_params())
        names = {p.name for p in spec.params_for(task)} | set(spec.fixed)
        names |= set(spec.fixed_for.get(task, {}))
        assert names - accepted == set(), f"{spec.key} {task.value}"
        built = inner(spec.build(task, {}))
        assert type(built) is spec.estimators[task]
        for name, value in spec.clean(task, {}).items():
            assert built.get_params()[name] == value


def test_svm_regression_is_wrapped_to_scale_the_target() -> None:
    for key in ("svm", "linear_svm"):
        built = get_spec(key).build(R, {})
        assert isinstance(built, TransformedTargetRegressor)
        assert not isinstance(get_spec(key).build(C, {}), TransformedTargetRegressor)
    assert not isinstance(get_spec("ridge").build(R, {}), TransformedTargetRegressor)


def test_random_state_follows_the_seed() -> None:
    assert get_spec("tree").build(C, {}, seed=7).random_state == 7
    assert get_spec("logistic").build(C, {}, seed=3).random_state == 3


def test_logistic_switches_solver_for_the_l1_penalty() -> None:
    spec = get_spec("logistic")
    assert spec.build(C, {"l1_ratio": 0.0}).solver == "lbfgs"
    assert spec.build(C, {"l1_ratio": 1.0}).solver == "saga"


@pytest.mark.parametrize("spec", CATALOGUE.values(), ids=lambda s: s.key)
def test_every_default_is_valid_and_offered(spec: ModelSpec) -> None:
    for task in spec.tasks:
        for param in spec.params_for(task):
            assert param.validate(param.default) == param.default
            assert param.default in param.options(), f"{spec.key}.{param.name}"


@pytest.mark.parametrize(
    "param",
    [p for spec in CATALOGUE.values() for p in spec.params if p.kind in ("int", "float")],
    ids=lambda p: p.name,
)
def test_numeric_options_are_sorted_and_within_range(param: Param) -> None:
    numbers = [v for v in param.options() if isinstance(v, int | float)]
    assert numbers == sorted(numbers)
    assert len(numbers) == len(set(numbers)) >= 3
    assert numbers[0] == pytest.approx(param.low)
    assert numbers[-1] == pytest.approx(param.high)
    assert all(param.low <= v <= param.high for v in numbers)
    for value in numbers:
        assert param.validate(value) == value


def test_options_put_text_specials_first_and_none_last() -> None:
    depth = next(p for p in get_spec("tree").params if p.name == "max_depth")
    assert depth.options() == [*range(1, 31), None]
    gamma = next(p for p in get_spec("svm").params if p.name == "gamma")
    assert gamma.options()[0] == "scale"  # search grids without facts: the default first
    placed = gamma.options({"columns": 4})  # "auto" ≈ 1/4 sits between 0.2 and 0.5
    at = placed.index("scale")
    assert placed[at - 1] == 0.2 and placed[at + 1] == 0.5
    numbers = [v for v in placed if not isinstance(v, str)]
    assert numbers == sorted(numbers) and len(placed) == len(gamma.options())
    assert gamma.options({"columns": 1e6}).index("scale") == 0
    assert gamma.label_of("scale") == "auto"
    assert gamma.label_of(0.5) == "0.5"
    assert depth.label_of(None) == "unlimited"


def test_float_steps_give_exact_round_values() -> None:
    alpha = next(p for p in get_spec("tree").params if p.name == "ccp_alpha")
    options = alpha.options()
    assert len(options) == 51
    assert options[:3] == [0.0, 0.001, 0.002]
    assert options[-1] == 0.05


def test_log_grid_takes_1_2_5_steps_per_decade() -> None:
    assert log_grid(1e-3, 1e1) == [
        0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0
    ]  # fmt: skip
    assert log_grid(0.2, 30) == [0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0]
    assert log_grid(1e-4, 1e3)[0] == 1e-4
    assert log_grid(1e-4, 1e3)[-1] == 1e3
    assert len(log_grid(1e-4, 1e3)) == 3 * 7 + 1


# --- validation ------------------------------------------------------------------------------

C_PARAM = Param("C", "C", "float", 1.0, "", low=1e-3, high=1e3, log=True)
DEPTH = Param("max_depth", "Max depth", "int", 5, "", low=1, high=30, specials=(("none", None),))
KERNEL = Param("kernel", "Kernel", "choice", "rbf", "", choices=(("RBF", "rbf"), ("lin", "linear")))
FLAG = Param("fit_intercept", "Intercept", "bool", True, "")


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        (C_PARAM, 1e4, "C must be between 0.001 and 1000"),
        (C_PARAM, 0.0, "C must be between 0.001 and 1000"),
        (C_PARAM, -1, "C must be between"),
        (C_PARAM, math.nan, "C must be a number, not nan"),
        (C_PARAM, math.inf, "C must be between"),
        (C_PARAM, "1.0", "C must be a number, not '1.0'"),
        (C_PARAM, None, "C must be a number, not None"),
        (C_PARAM, True, "C must be a number, not True"),
        (DEPTH, 0, "Max depth must be between 1 and 30"),
        (DEPTH, 31, "Max depth must be between 1 and 30"),
        (DEPTH, 2.5, "Max depth must be a whole number, not 2.5"),
        (DEPTH, "none", "Max depth must be a number"),
        (KERNEL, "poly", r"Kernel must be one of \['rbf', 'linear'\], not 'poly'"),
        (KERNEL, None, "Kernel must be one of"),
        (FLAG, 1, "Intercept must be true or false, not 1"),
        (FLAG, "yes", "Intercept must be true or false"),
    ],
)
def test_validate_rejects_bad_values_naming_the_range(
    param: Param, value: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        param.validate(value)


def test_validate_accepts_and_normalises_good_values() -> None:
    assert C_PARAM.validate(1000) == 1000.0
    assert isinstance(C_PARAM.validate(1), float)
    assert DEPTH.validate(30.0) == 30
    assert isinstance(DEPTH.validate(30.0), int)
    assert DEPTH.validate(None) is None
    assert KERNEL.validate("linear") == "linear"
    assert FLAG.validate(False) is False


# --- when / clean ----------------------------------------------------------------------------


def test_degree_applies_only_to_the_polynomial_kernel() -> None:
    svm = get_spec("svm")
    assert "degree" not in svm.clean(C, {})
    assert "degree" not in svm.clean(C, {"kernel": "rbf", "degree": 4})
    assert svm.clean(C, {"kernel": "poly", "degree": 4})["degree"] == 4
    assert svm.build(C, {"kernel": "poly", "degree": 4}).degree == 4
    assert svm.build(C, {"kernel": "rbf", "degree": 4}).degree == 3  # sklearn's own default


def test_gamma_is_dropped_for_the_linear_kernel() -> None:
    svm = get_spec("svm")
    assert "gamma" in svm.clean(C, {"kernel": "rbf"})
    assert "gamma" not in svm.clean(C, {"kernel": "linear", "gamma": 5.0})


def test_clean_fills_defaults_and_keeps_only_this_tasks_params() -> None:
    svm = get_spec("svm")
    assert svm.clean(R, {}) == {"kernel": "rbf", "C": 1.0, "gamma": "scale", "epsilon": 0.1}
    assert svm.clean(C, {"C": 10}) == {
        "kernel": "rbf",
        "C": 10.0,
        "gamma": "scale",
        "class_weight": None,
    }
    tree = get_spec("tree")
    assert tree.clean(C, {})["criterion"] == "gini"
    assert tree.clean(R, {})["criterion"] == "squared_error"


def test_clean_rejects_unknown_and_other_task_names() -> None:
    with pytest.raises(ValueError, match="Support vector machine has no parameter"):
        get_spec("svm").clean(C, {"epsilon": 0.2})  # regression only
    with pytest.raises(ValueError, match=r"has no parameter\(s\) bogus, depth$"):
        get_spec("tree").clean(C, {"depth": 3, "bogus": 1})
    with pytest.raises(ValueError, match="Max depth must be between 1 and 30"):
        get_spec("tree").clean(C, {"max_depth": 99})


def test_build_refuses_a_task_the_spec_does_not_do() -> None:
    with pytest.raises(ValueError, match="Logistic regression does not do regression"):
        get_spec("logistic").build(R, {})


# --- the catalogue as a whole ----------------------------------------------------------------


def test_specs_for_each_task() -> None:
    assert [s.key for s in specs_for(R)] == [
        "linear",
        "ridge",
        "lasso",
        "tree",
        "svm",
        "linear_svm",
    ]
    assert [s.key for s in specs_for(C)] == ["logistic", "tree", "svm", "linear_svm"]


def test_get_spec_names_the_known_algorithms() -> None:
    assert get_spec("tree").name == "Decision tree"
    with pytest.raises(KeyError, match="No algorithm called 'forest'; known: linear, ridge"):
        get_spec("forest")


def test_trees_ask_for_dense_input_and_no_scaling() -> None:
    tree = get_spec("tree")
    assert tree.dense and not tree.scale
    assert all(s.scale for s in CATALOGUE.values() if s.family == "svm")


def test_fit_time_estimate_grows_with_rows() -> None:
    svm, linear = get_spec("svm"), get_spec("linear_svm")
    assert svm.modelled_fit_seconds(20_000, 10) == pytest.approx(
        4 * svm.modelled_fit_seconds(10_000, 10)
    )
    assert linear.modelled_fit_seconds(20_000, 10) == pytest.approx(
        2 * linear.modelled_fit_seconds(10_000, 10)
    )
    assert svm.modelled_fit_seconds(100, 0) == svm.modelled_fit_seconds(100, 1)


@pytest.mark.parametrize("spec", CATALOGUE.values(), ids=lambda s: s.key)
def test_every_spec_explains_itself(spec: ModelSpec) -> None:
    assert spec.summary and len(spec.explanation) > 100
    for param in spec.params:
        assert param.label and param.help, f"{spec.key}.{param.name}"
        if param.kind == "choice":
            assert len(param.choices) >= 2
            assert len({label for label, _ in param.choices}) == len(param.choices)


def test_describe_settings_names_what_differs_from_the_defaults() -> None:
    from mllib.catalogue import get_spec
    from mllib.profile import Task

    svm = get_spec("svm")
    defaults = svm.defaults(Task.CLASSIFICATION)
    assert svm.describe_settings(Task.CLASSIFICATION, defaults) == "defaults"
    changed = {**defaults, "kernel": "sigmoid", "gamma": 10.0}
    assert svm.describe_settings(Task.CLASSIFICATION, changed) == (
        "Kernel = sigmoid, γ (kernel width) = 10"
    )


def test_linear_svm_converges_at_its_defaults_on_noisy_regression() -> None:
    """The plain ε-insensitive loss needed the dual solver and hit its iteration limit."""
    from sklearn.datasets import make_regression

    X, y = make_regression(2000, 10, noise=20, random_state=0)
    estimator = get_spec("linear_svm").build(R, {})
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        estimator.fit(X, y)
    assert inner(estimator).loss == "squared_epsilon_insensitive"


def test_every_fact_on_a_spec_names_something_real() -> None:
    for key, spec in CATALOGUE.items():
        names = {p.name for p in spec.params}
        assert set(spec.search) <= names, key  # the default search varies real parameters
        if spec.faster is not None:
            faster, label = spec.faster
            assert faster in CATALOGUE and faster != key and label, key
            assert spec.tasks <= CATALOGUE[faster].tasks, key  # it can take over every task
        if spec.coefficient_path:
            assert spec.straight_line and any(p.name == "alpha" for p in spec.params), key


def test_a_toggle_reads_on_or_off_in_summaries() -> None:
    """The See-the-model header showed "Fit an intercept b = True" (Python's spelling)."""
    intercept = next(p for p in CATALOGUE["linear"].params if p.kind == "bool")
    assert (intercept.label_of(True), intercept.label_of(False)) == ("on", "off")


def test_a_rejected_value_is_said_in_the_reader_s_language() -> None:
    """validate's error is a Message: a lesson link with a value out of range says it in
    Chinese ("“最大深度”必须在 1 到 30 之间"), and in English as before."""
    from mllib import lesson
    from mllib.catalogue import get_spec
    from mllib.errors import GlassboxError
    from mllib.i18n import translator

    depth = next(p for p in get_spec("tree").params if p.name == "max_depth")
    with pytest.raises(ValueError, match="between 1 and 30") as caught:
        depth.validate(99)
    assert str(caught.value) == "Max depth must be between 1 and 30"
    assert translator("zh").text(caught.value.args[0]) == "“最大深度”必须在 1 到 30 之间"
    with pytest.raises(GlassboxError) as bad_link:
        lesson.decode({"sample": "iris", "algo": "tree", "p.max_depth": "99"})
    assert "最大深度" in bad_link.value.text(translator("zh"))
