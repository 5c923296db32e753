"""Work survives a reload: each session saves into a project named by ``?project=<id>``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from mllib import projects
from tests.app.helpers import assert_healthy, texts
from tests.conftest import APP

DATA, TRAIN = "pages/data.py", "pages/train.py"
CSV = b"length,depth,island,species\n" + b"".join(
    f"{30 + i % 17},{14 + (i * 7) % 5},{'ABC'[i % 3]},{'xyz'[(i // 2) % 3]}\n".encode()
    for i in range(90)
)


def reopen(project_id: str | None, page: str = TRAIN) -> AppTest:
    """A new browser session (a reload) opening ``page`` with this project link."""
    from ui import persistence

    persistence.saver().flush()
    at = AppTest.from_file(APP, default_timeout=60)
    if project_id is not None:
        at.query_params["project"] = project_id
    at.switch_page(page)
    return at.run()


def sidebar_text(at: Any) -> str:
    return " ".join(str(m.value) for m in at.sidebar.markdown)


def trained_upload(app: Any) -> Any:
    at = app(DATA)
    at.segmented_control(key="data_source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value(("penguins.csv", CSV, "text/csv")).run()
    at.multiselect(key="features").set_value(["length", "island"]).run()
    at.switch_page(TRAIN).run()
    at.selectbox(key="algorithm").select("tree").run()
    at.slider(key="test_pct").set_value(30).run()
    assert_healthy(at)
    return at


def test_a_reload_restores_data_target_settings_model_and_history(app: Any) -> None:
    at = trained_upload(app)
    project_id = at.query_params["project"]
    assert projects.valid_id(project_id)
    scores = [m.value for m in at.metric]
    history = at.dataframe[-1].value
    back = reopen(project_id)
    assert_healthy(back)
    assert sidebar_text(back) == sidebar_text(at)
    assert back.selectbox(key="algorithm").value == "tree"
    assert back.slider(key="test_pct").value == 30
    assert [m.value for m in back.metric][:2] == scores[:2]
    assert back.dataframe[-1].value.drop(columns="fit s").equals(history.drop(columns="fit s"))
    back.switch_page(DATA).run()
    assert back.multiselect(key="features").value == ["length", "island"]
    assert back.segmented_control(key="data_source").value == "Upload a file"
    assert back.query_params["project"] == project_id


def test_the_restored_model_is_not_refitted(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    at = trained_upload(app)
    project_id = at.query_params["project"]
    from mllib import training

    calls: list[str] = []
    real = training.train_model
    monkeypatch.setattr(
        training, "train_model", lambda *a, **k: calls.append("fit") or real(*a, **k)
    )
    from streamlit import cache_resource

    from ui import persistence

    persistence.saver().flush()
    cache_resource.clear()  # a restarted server: nothing cached
    back = reopen(project_id)
    assert_healthy(back)
    assert "**Model:** Decision tree" in sidebar_text(back)
    assert calls == []
    assert len(back.dataframe[-1].value) == len(at.dataframe[-1].value)


def test_just_looking_creates_no_project(app: Any, project_home: Path) -> None:
    at = app()
    at.switch_page(DATA).run()
    assert "project" not in at.query_params
    assert projects.ProjectStore(project_home).list_projects() == []


def test_an_unknown_link_says_so_and_starts_afresh(app: Any) -> None:
    at = reopen("A" * 22, DATA)
    assert_healthy(at)
    assert any("unknown or has expired" in n for n in texts(at, "warning"))
    assert "project" not in at.query_params


def test_two_sessions_cannot_open_each_others_project_without_the_link(
    app: Any, project_home: Path
) -> None:
    first = trained_upload(app)
    mine = first.query_params["project"]
    second = reopen(None, DATA)  # another visitor on the same server
    assert "penguins.csv" not in sidebar_text(second)
    second.selectbox(key="sample").select("diabetes").run()
    theirs = second.query_params["project"]
    assert theirs != mine
    assert "penguins.csv" not in sidebar_text(second)
    again = reopen(mine)  # only the link opens it
    assert "penguins.csv" in sidebar_text(again)


def test_persistence_can_be_turned_off(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLASSBOX_PERSIST", "0")
    at = trained_upload(app)
    assert "project" not in at.query_params


def test_a_decision_threshold_survives_a_reload(app: Any) -> None:
    at = app(DATA)
    at.selectbox(key="sample").select("breast_cancer").run()
    at.switch_page(TRAIN).run()
    at.selectbox(key="algorithm").select("logistic").run()
    at.switch_page("pages/model.py").run()
    at.session_state["model_tab"] = "Evaluation"
    at.run()
    at.slider(key="threshold").set_value(0.05).run()
    assert_healthy(at)
    back = reopen(at.query_params["project"], "pages/predict.py")
    assert_healthy(back)
    assert any("Decision threshold: P(" in t and "0.05" in t for t in texts(back, "caption"))
