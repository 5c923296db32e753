"""The Train page through AppTest: every algorithm trains, sliders refit, reruns do not."""

from __future__ import annotations

import time
from typing import Any

import pytest

from mllib import catalogue, training
from mllib.profile import Task
from tests.app.helpers import assert_healthy, texts
from ui import background_fit

TRAIN = "pages/train.py"
SAMPLE_FOR = {Task.CLASSIFICATION: "iris", Task.REGRESSION: "diabetes"}
CASES = [(spec.key, task) for spec in catalogue.CATALOGUE.values() for task in spec.tasks]


def load_sample(app: Any, key: str) -> Any:
    at = app("pages/data.py")
    at.selectbox(key="sample").select(key).run()
    assert_healthy(at)
    return at


def upload_csv(app: Any, name: str, text: str) -> Any:
    at = app("pages/data.py")
    at.segmented_control(key="data_source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value((name, text.encode(), "text/csv")).run()
    assert_healthy(at)
    return at


def metrics(at: Any) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture
def fit_counter(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = training.train_model

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[2].algorithm)
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "train_model", counting)
    return calls


@pytest.mark.parametrize(("algorithm", "task"), CASES)
def test_every_algorithm_and_task_trains_and_shows_metrics(
    app: Any, algorithm: str, task: Task
) -> None:
    at = load_sample(app, SAMPLE_FOR[task])
    at.switch_page(TRAIN).run()
    at.selectbox(key="algorithm").select(algorithm).run()
    assert_healthy(at)
    shown = metrics(at)
    primary = "Test R²" if task == Task.REGRESSION else "Test accuracy"
    assert primary in shown
    assert float(shown[primary]) > (0.05 if task == Task.REGRESSION else 0.8)
    table = at.dataframe[0].value
    assert {"train", "test", "gap"} <= set(table.columns)
    assert any(catalogue.get_spec(algorithm).name in m.value for m in at.sidebar.markdown)


def test_moving_a_slider_refits_once_and_changes_the_model(app: Any, fit_counter: list) -> None:
    at = app(TRAIN)
    at.selectbox(key="algorithm").select("tree").run()
    before = len(fit_counter)
    deep = metrics(at)["Test accuracy"]
    at.select_slider(key="p_tree_max_depth").set_value("1").run()
    assert_healthy(at)
    assert len(fit_counter) == before + 1
    shallow = metrics(at)["Test accuracy"]
    assert float(shallow) < float(deep), "a one-split tree cannot separate three species"
    ws = at.session_state["glassbox_workspace"]
    assert ws.model.estimator.get_depth() == 1


def test_unrelated_rerun_does_not_refit(app: Any, fit_counter: list) -> None:
    at = app(TRAIN)
    assert_healthy(at)
    fits = len(fit_counter)
    assert fits == 1
    at.run()
    at.switch_page("pages/home.py").run()
    at.switch_page(TRAIN).run()
    assert_healthy(at)
    assert len(fit_counter) == fits, "same data + same settings come from the cache"


def test_cross_validation_shows_mean_and_std(app: Any) -> None:
    at = app(TRAIN)
    at.selectbox(key="cv_folds").select(5).run()
    assert_healthy(at)
    cv = at.dataframe[1].value
    assert list(cv.columns) == ["metric", "mean", "std", "folds"]
    assert (cv["folds"] == 5).all()


def test_run_history_is_downloadable(app: Any) -> None:
    at = app(TRAIN)
    at.selectbox(key="algorithm").select("tree").run()
    assert at.get("download_button"), "history CSV offered"
    history = at.session_state["glassbox_workspace"].history
    assert [row["algorithm"] for row in history] == ["Logistic regression", "Decision tree"]


def test_one_class_target_is_blocked(app: Any) -> None:
    rows = "\n".join(f"{i % 9},{(i * 7) % 5},yes" for i in range(30))
    at = upload_csv(app, "oneclass.csv", f"a,b,label\n{rows}\n")
    at.selectbox(key="target").select("label").run()
    at.switch_page(TRAIN).run()
    assert_healthy(at)
    assert any("single value" in e for e in texts(at, "error"))
    assert not at.metric


def test_rare_class_is_blocked_with_a_way_out(app: Any) -> None:
    rows = [f"{i % 9},{(i * 7) % 5},{'ab'[i % 2]}" for i in range(30)] + ["4,4,c"]
    at = upload_csv(app, "rare.csv", "a,b,label\n" + "\n".join(rows) + "\n")
    assert any("single row" in e for e in texts(at, "error"))
    at.button(key="drop_rare").click().run()
    assert_healthy(at)
    assert not any("single row" in e for e in texts(at, "error"))
    at.switch_page(TRAIN).run()
    assert_healthy(at)
    assert "Test accuracy" in metrics(at)


@pytest.mark.parametrize(
    ("sample", "advice"),
    [
        ("study_hours", "regression task instead"),  # decimal numbers
        ("diabetes", "the regression task fits it better"),  # 214 distinct whole numbers
    ],
)
def test_numeric_target_as_classification_suggests_regression(
    app: Any, sample: str, advice: str
) -> None:
    at = load_sample(app, sample)
    at.radio(key="task").set_value(Task.CLASSIFICATION).run()
    assert_healthy(at)
    assert any(advice in e for e in texts(at, "error"))
    at.switch_page(TRAIN).run()
    assert_healthy(at)
    assert any(advice in e for e in texts(at, "error"))
    assert not at.metric


def test_integer_codes_as_regression_warn(app: Any) -> None:
    rows = "\n".join(f"{i * 0.37:.2f},{(i * 3) % 7},{i % 3}" for i in range(60))
    at = upload_csv(app, "codes.csv", f"x,z,grade\n{rows}\n")
    at.radio(key="task").set_value(Task.REGRESSION).run()
    assert any("classification is the right task" in w for w in texts(at, "warning"))


def test_too_few_rows(app: Any) -> None:
    at = upload_csv(app, "tiny.csv", "x,y\n1,2\n2,4\n3,7\n4,8\n5,11\n6,12\n")
    at.switch_page(TRAIN).run()
    assert_healthy(at)
    assert any("at least 10 are needed" in e for e in texts(at, "error"))


def test_more_features_than_rows_warns(app: Any) -> None:
    header = ",".join(f"f{j}" for j in range(15)) + ",y"
    rows = "\n".join(
        ",".join(str((i * 7 + j * 3) % 11) for j in range(15)) + f",{i * 1.5}" for i in range(12)
    )
    at = upload_csv(app, "wide.csv", f"{header}\n{rows}\n")
    at.switch_page(TRAIN).run()
    assert_healthy(at)
    assert any("features but only" in w for w in texts(at, "warning"))


def test_non_convergence_is_explained(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # the message is under test, not the gate: on a loaded machine the learned costs could
    # send C=1000 with L1 to the slow-fit gate or a worker process (seen once under load)
    monkeypatch.setattr(training, "SLOW_FIT_SECONDS", float("inf"))
    at = load_sample(app, "breast_cancer")
    at.switch_page(TRAIN).run()
    at.selectbox(key="algorithm").select("logistic").run()
    at.select_slider(key="p_logistic_C").set_value("1000").run()
    at.selectbox(key="p_logistic_l1_ratio").select("L1 (sparse)").run()
    at.select_slider(key="p_logistic_max_iter").set_value("100").run()
    assert_healthy(at)
    assert any("did not converge" in w or "before it converged" in w for w in texts(at, "warning"))


def test_slow_fit_asks_first(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(training, "SLOW_FIT_SECONDS", 0.0)
    at = app(TRAIN)
    assert_healthy(at)
    assert any("may take about" in w for w in texts(at, "warning"))
    assert not at.metric, "nothing is trained before the user agrees"
    at.button(key="go_sample").click().run()
    assert_healthy(at)
    assert "Test accuracy" in metrics(at)


def test_a_choice_at_the_gate_holds_for_new_settings(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(training, "SLOW_FIT_SECONDS", 0.0)
    at = app(TRAIN)
    at.button(key="go_sample").click().run()
    at.select_slider(key="p_logistic_C").set_value("10").run()
    assert_healthy(at)
    assert not any("may take about" in w for w in texts(at, "warning")), "asked only once"
    assert at.session_state["glassbox_workspace"].model.config.param_dict["C"] == 10


def test_a_sample_chosen_at_the_gate_can_be_traded_for_all_rows(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(training, "SLOW_FIT_SECONDS", 0.0)
    monkeypatch.setattr(training, "affordable_rows", lambda *args, **kwargs: 100)
    at = app(TRAIN)
    at.button(key="go_sample").click().run()
    assert at.session_state["glassbox_workspace"].model.config.sample_rows == 100
    at.button(key="go_full").click().run()
    assert_healthy(at)
    assert at.session_state["glassbox_workspace"].model.config.sample_rows is None


def test_a_sample_chosen_at_the_gate_holds_when_the_estimate_falls(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample's fit teaches the estimate this machine's speed; when all rows now look quick
    the page keeps the reader's sample and offers all rows, rather than switching silently
    (the 1M-row benchmark saw the next rerun train all rows without a word)."""
    monkeypatch.setattr(training, "SLOW_FIT_SECONDS", 0.0)
    monkeypatch.setattr(training, "affordable_rows", lambda *args, **kwargs: 100)
    at = app(TRAIN)
    at.button(key="go_sample").click().run()
    monkeypatch.setattr(training, "SLOW_FIT_SECONDS", float("inf"))  # all rows look quick now
    # and the learned costs would now afford another sample size: the chosen one holds (sized
    # anew on every run, the sample flipped between sizes and each rerun fitted again)
    monkeypatch.setattr(training, "affordable_rows", lambda *args, **kwargs: 120)
    at.select_slider(key="p_logistic_C").set_value("10").run()
    assert_healthy(at)
    model = at.session_state["glassbox_workspace"].model
    assert model.config.sample_rows == 100 and model.config.param_dict["C"] == 10
    assert "instead" in at.button(key="go_full").label
    at.run()
    assert at.session_state["glassbox_workspace"].model is model  # settled: no refit


def test_switching_to_the_linear_svm_at_the_gate(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(training, "SLOW_FIT_SECONDS", 0.0)
    at = app(TRAIN)
    at.selectbox(key="algorithm").select("svm").run()
    at.button(key="go_linear").click().run()
    assert_healthy(at)
    assert at.selectbox(key="algorithm").value == "linear_svm"
    assert at.session_state["glassbox_workspace"].algorithm == "linear_svm"


def _fit_state(at: Any) -> Any:
    return at.session_state[background_fit.STATE_KEY]


def slow_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fit goes to a worker process and takes a minute there (the fork inherits this)."""
    real = training.train_model

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(background_fit, "BACKGROUND_FIT_SECONDS", 0.0)
    monkeypatch.setattr(training, "train_model", slow)


def test_a_long_fit_runs_in_a_worker_and_stop_keeps_the_previous_model(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app(TRAIN)
    ws = at.session_state["glassbox_workspace"]
    before = ws.model
    assert before is not None and not [b for b in at.button if b.key == "train_stop"]
    slow_fits(monkeypatch)
    at.select_slider(key="p_logistic_C").set_value("10").run()
    assert_healthy(at)
    job = _fit_state(at).job
    assert job is not None and job.alive, "the fit runs in a worker process"
    assert [b for b in at.button if b.key == "train_stop"]
    assert any("separate process" in str(p.proto.text) for p in at.get("progress"))
    assert ws.model is before and at.metric, "the previous model stays on screen meanwhile"
    at.button(key="train_stop").click().run()
    assert_healthy(at)
    assert not job.alive, "Stop ended the process"
    assert ws.model is before
    note = " ".join(texts(at, "info"))
    assert "Stopped training the logistic regression" in note and "is kept" in note, note
    assert not [b for b in at.button if b.key == "train_stop"]
    at.run()  # a rerun does not start the stopped fit again
    assert _fit_state(at).job is None and ws.model is before
    assert [b for b in at.button if b.key == "train_again"]


def test_a_fit_in_a_worker_replaces_the_model_when_it_ends(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = app(TRAIN)
    monkeypatch.setattr(background_fit, "BACKGROUND_FIT_SECONDS", 0.0)
    at.select_slider(key="p_logistic_C").set_value("10").run()
    job = _fit_state(at).job
    if job is not None:  # not over within the first run (a busy machine): wait and rerun
        assert job.wait(120)
        at.run()
    assert_healthy(at)
    ws = at.session_state["glassbox_workspace"]
    assert ws.model.config.param_dict["C"] == 10 and "Test accuracy" in metrics(at)
    assert ws.history and not [b for b in at.button if b.key == "train_stop"]


def test_a_fit_in_a_worker_is_shown_when_the_estimate_fell_meanwhile(
    app: Any, monkeypatch: pytest.MonkeyPatch, fit_counter: list
) -> None:
    """The worker's fit teaches the page this machine's speed: by the time it ends, the same
    fit may be estimated under the threshold for a worker. The page shows the worker's model;
    it used to fit it again in the page (seconds on a million rows), leaving the result
    unread."""
    at = app(TRAIN)
    monkeypatch.setattr(background_fit, "BACKGROUND_FIT_SECONDS", 0.0)
    at.select_slider(key="p_logistic_C").set_value("10").run()
    job = _fit_state(at).job
    assert job is not None and job.wait(120)
    monkeypatch.setattr(background_fit, "BACKGROUND_FIT_SECONDS", float("inf"))
    fit_counter.clear()  # the first model was fitted in the page
    at.run()
    assert_healthy(at)
    ws = at.session_state["glassbox_workspace"]
    assert ws.model.config.param_dict["C"] == 10 and "Test accuracy" in metrics(at)
    assert fit_counter == [], "not fitted again in the page"
    assert _fit_state(at).job is None, "the worker's result was read"


def test_stopping_a_fit_on_all_rows_asks_again_at_the_gate(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(training, "SLOW_FIT_SECONDS", 0.0)
    monkeypatch.setattr(training, "affordable_rows", lambda *args, **kwargs: 100)
    at = app(TRAIN)
    at.button(key="go_sample").click().run()
    sampled = at.session_state["glassbox_workspace"].model
    assert sampled.config.sample_rows == 100
    slow_fits(monkeypatch)
    at.button(key="go_full").click().run()
    job = _fit_state(at).job
    assert job is not None and job.alive
    at.button(key="train_stop").click().run()
    assert_healthy(at)
    assert not job.alive and at.session_state["glassbox_workspace"].model is sampled
    assert any("may take about" in w for w in texts(at, "warning")), "the gate asks again"
    assert any("is kept" in i for i in texts(at, "info"))
