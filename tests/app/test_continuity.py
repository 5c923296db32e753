"""The user's work survives the normal flow: one rule for state when the data changes.

Each test reproduces a defect seen with real files (issue 10): going back to Data threw an
upload away, a new file inherited the old feature list, hyperparameters leaked across datasets,
and a refused upload still replaced the data.
"""

from __future__ import annotations

from typing import Any

from mllib import samples
from tests.app.helpers import assert_healthy, texts

DATA, TRAIN, COMPARE = "pages/data.py", "pages/train.py", "pages/compare.py"
PENGUINS = b"bill_length,bill_depth,flipper,island,species\n" + b"".join(
    f"{30 + i % 17},{14 + i % 5},{180 + i % 23},{'ABC'[i % 3]},{'xyz'[i % 3]}\n".encode()
    for i in range(60)
)


def upload(at: Any, name: str, raw: bytes) -> Any:
    at.segmented_control(key="data_source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value((name, raw, "text/csv")).run()
    assert_healthy(at)
    return at


def sidebar_text(at: Any) -> str:
    return " ".join(str(m.value) for m in at.sidebar.markdown)


def test_going_back_to_data_keeps_the_upload_and_the_model(app: Any) -> None:
    at = upload(app(DATA), "penguins.csv", PENGUINS)
    at.switch_page(TRAIN).run()
    assert_healthy(at)
    trained = sidebar_text(at)
    assert "penguins.csv" in trained and "**Model:**" in trained
    at.switch_page(DATA).run()
    assert_healthy(at)
    assert sidebar_text(at) == trained, "returning to Data changed the data or dropped the model"
    assert at.segmented_control(key="data_source").value == "Upload a file"
    at.switch_page(TRAIN).run()
    at.switch_page(DATA).run()
    assert sidebar_text(at) == trained


def test_a_new_file_with_the_same_target_name_gets_fresh_features(app: Any) -> None:
    at = app(DATA)  # Iris: its target is also called "species"
    assert at.selectbox(key="target").value == "species"
    upload(at, "penguins.csv", PENGUINS)
    assert at.selectbox(key="target").value == "species"
    assert set(at.multiselect(key="features").value) == {
        "bill_length",
        "bill_depth",
        "flipper",
        "island",
    }


def test_a_second_file_does_not_keep_only_the_shared_columns(app: Any) -> None:
    at = upload(app(DATA), "plain.csv", PENGUINS)
    european = PENGUINS.replace(b"bill_depth", b"depth").replace(b",", b";")
    upload(at, "european.csv", european)
    assert "depth" in at.multiselect(key="features").value
    assert "bill_depth" not in at.multiselect(key="features").options


def test_hyperparameters_do_not_leak_to_new_data(app: Any) -> None:
    at = app(DATA)
    at.selectbox(key="sample").select("moons").run()
    at.switch_page(TRAIN).run()
    at.selectbox(key="algorithm").select("svm").run()
    at.selectbox(key="p_svm_kernel").select("sigmoid").run()
    at.select_slider(key="p_svm_gamma").set_value("10").run()
    assert_healthy(at)
    assert any("Kernel = sigmoid" in str(row) for row in at.dataframe[-1].value["settings"])
    at.switch_page(DATA).run()
    upload(at, "penguins.csv", PENGUINS)
    notes = texts(at, "info")
    assert any("back to its defaults" in n and "history" in n for n in notes), notes
    at.switch_page(TRAIN).run()
    at.selectbox(key="algorithm").select("svm").run()
    assert at.selectbox(key="p_svm_kernel").value == "RBF (Gaussian)"
    assert at.select_slider(key="p_svm_gamma").value == "auto"
    history = at.dataframe[-1].value
    assert set(history["data"]) == {samples.SAMPLES["moons"].title, "penguins.csv"}
    at.switch_page(COMPARE).run()
    at.button(key="compare_run").click().run()
    assert_healthy(at)
    board = at.dataframe[0].value
    svm = board.loc[board["algorithm"] == "Support vector machine", "settings"]
    assert list(svm) == ["defaults"]


def test_reset_to_defaults_on_train(app: Any) -> None:
    at = app(TRAIN)
    at.selectbox(key="algorithm").select("svm").run()
    at.selectbox(key="p_svm_kernel").select("linear").run()
    at.slider(key="test_pct").set_value(40).run()
    at.button(key="train_reset").click().run()
    assert_healthy(at)
    assert at.selectbox(key="p_svm_kernel").value == "RBF (Gaussian)"
    assert at.slider(key="test_pct").value == 25


def test_reset_every_algorithm_on_compare(app: Any) -> None:
    at = app(TRAIN)
    at.selectbox(key="algorithm").select("svm").run()
    at.selectbox(key="p_svm_kernel").select("linear").run()
    at.switch_page(COMPARE).run()
    at.button(key="compare_reset").click().run()
    at.button(key="compare_run").click().run()
    assert_healthy(at)
    assert set(at.dataframe[0].value["settings"]) == {"defaults"}
    at.switch_page(TRAIN).run()
    at.selectbox(key="algorithm").select("svm").run()
    assert at.selectbox(key="p_svm_kernel").value == "RBF (Gaussian)"


def test_a_refused_upload_changes_nothing(app: Any) -> None:
    at = upload(app(DATA), "penguins.csv", PENGUINS)
    at.switch_page(TRAIN).run()
    before = sidebar_text(at)
    at.switch_page(DATA).run()
    at.file_uploader(key="upload").set_value(("one.csv", b"a,b\n1,2\n", "text/csv")).run()
    assert_healthy(at)
    assert any("single data row" in e for e in texts(at, "error"))
    assert sidebar_text(at) == before
    assert any("Still loaded: **penguins.csv**" in c for c in texts(at, "caption"))
    assert at.selectbox(key="target").value == "species"


def test_returning_to_data_after_a_sample_keeps_it(app: Any) -> None:
    at = app(DATA)
    at.selectbox(key="sample").select("diabetes").run()
    at.switch_page(TRAIN).run()
    trained = sidebar_text(at)
    at.switch_page(DATA).run()
    assert sidebar_text(at) == trained
    assert at.selectbox(key="sample").value == "diabetes"


def test_preview_shows_missing_numbers_as_empty_cells_and_the_default_target_says_why(
    app: Any,
) -> None:
    rows = "\n".join(f"{'' if i % 4 == 0 else i * 0.5},{i % 3},{'pq'[i % 2]}" for i in range(30))
    at = upload(app(DATA), "gaps.csv", f"x,z,kind\n{rows}\n".encode())
    preview = at.dataframe[0].value
    assert preview["x"].iloc[0] == "" and preview["x"].iloc[1] == "0.5"
    assert "None" not in set(preview["x"])
    assert at.selectbox(key="target").value == "kind"
    assert any("Chosen by default: tables usually keep" in c for c in texts(at, "caption"))
