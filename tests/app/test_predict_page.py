"""Predict page: the form follows the schema, files are checked and predicted, nothing crashes."""

from __future__ import annotations

import io
import json
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from mllib import export
from tests.app.helpers import assert_healthy, texts
from tests.conftest import SAMPLES

PAGE = "pages/predict.py"


@pytest.fixture
def downloads(download_bytes: Any) -> Any:
    """``downloads(at, key) -> bytes`` of the download button whose id holds ``key``."""

    def read(at: Any, key: str) -> bytes:
        buttons = at.get("download_button")
        return download_bytes(next(b for b in buttons if key in b.proto.id))

    return read


def train(app: Any, sample: str = "iris", algorithm: str = "tree") -> Any:
    at = app("pages/data.py")
    if sample != "iris":
        at.selectbox(key="sample").select(sample).run()
    at.switch_page("pages/train.py").run()
    at.selectbox(key="algorithm").select(algorithm).run()
    assert_healthy(at)
    at.switch_page(PAGE).run()
    assert_healthy(at)
    return at


def number(at: Any, name: str) -> Any:
    return next(w for w in at.number_input if w.label == name)


def workspace_model(at: Any) -> Any:
    return at.session_state["glassbox_workspace"].model


def test_opened_first_the_page_trains_a_quick_model(app: Any) -> None:
    at = app(PAGE)
    assert_healthy(at)
    assert any("No model was trained yet" in c for c in texts(at, "caption"))
    assert len(at.number_input) == 4 and at.metric[0].label == "Predicted species"


def test_without_a_model_the_page_says_what_to_do(app: Any) -> None:
    at = app(PAGE)
    ws = at.session_state["glassbox_workspace"]
    ws.model, ws.features = None, []  # nothing trained, nothing trainable
    at.run()
    assert_healthy(at)
    assert "Train a model first" in texts(at, "info")[0]
    assert not at.number_input


def test_the_form_is_drawn_from_the_schema_and_predicts(app: Any) -> None:
    at = train(app)
    labels = {w.label for w in at.number_input}
    assert labels == {"sepal_length", "sepal_width", "petal_length", "petal_width"}
    assert any(c.startswith("training range 1 – 6.9") for c in texts(at, "caption"))
    model = workspace_model(at)
    row = pd.DataFrame([{w.label: w.value for w in at.number_input}])
    assert at.metric[0].label == "Predicted species"
    assert at.metric[0].value == model.pipeline.predict(row[list(model.config.features)])[0]
    number(at, "petal_length").set_value(1.2).run()
    number(at, "petal_width").set_value(0.2).run()
    assert_healthy(at)
    assert at.metric[0].value == "setosa"
    chart = at.get("vega_lite_chart")[0]
    assert json.loads(chart.proto.spec)["title"] == "Class probabilities"
    bars = pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_pandas()
    assert set(bars["class"]) == {"setosa", "versicolor", "virginica"}
    assert bars.set_index("class").loc["setosa", "value"] == bars["value"].max()


def test_values_outside_the_training_range_are_flagged(app: Any) -> None:
    at = train(app)
    number(at, "sepal_width").set_value(9.0).run()
    assert_healthy(at)
    warnings = texts(at, "warning")
    assert any("“sepal_width”: 9 is outside the training range" in w for w in warnings)


def test_reset_restores_typical_values(app: Any) -> None:
    at = train(app)
    median = number(at, "petal_length").value
    number(at, "petal_length").set_value(1.0).run()
    at.button(key="predict_reset").click().run()
    assert number(at, "petal_length").value == median


def test_mixed_types_get_choices_switches_and_dates(app: Any) -> None:
    at = train(app, "customers", "logistic")
    assert {s.label for s in at.selectbox if s.key and s.key.startswith("row_")} == {
        "region",
        "plan",
    }
    assert [t.label for t in at.toggle] == ["has_partner"]
    assert [d.label for d in at.date_input] == ["signup_date"]
    plan = next(s for s in at.selectbox if s.label == "plan")
    assert plan.options[:3] == ["Basic", "Premium", "Standard"]
    plan.select("Premium").run()
    at.toggle[0].set_value(not at.toggle[0].value).run()
    next(s for s in at.selectbox if s.label == "region").select("— missing —").run()
    assert_healthy(at)
    assert at.metric[0].value in ("yes", "no")


def upload(at: Any, name: str, raw: bytes) -> Any:
    at.file_uploader(key="predict_upload").set_value((name, raw, "text/csv")).run()
    assert_healthy(at)
    return at


def test_a_whole_file_is_predicted_and_downloadable(app: Any, downloads: Any) -> None:
    at = train(app)
    raw = (SAMPLES / "iris.csv").read_bytes()
    upload(at, "iris.csv", raw)
    assert "Predicted 150 row(s) of iris.csv." in texts(at, "success")
    assert any("`species`" in c for c in texts(at, "caption"))  # kept, not used
    agreement = texts(at, "info")[0]
    assert "the predictions match it in" in agreement
    assert "This is the file the model was trained on" in agreement
    shown = at.dataframe[-1].value
    assert list(shown.columns[:4]) == [
        "predicted_species",
        "P(setosa)",
        "P(versicolor)",
        "P(virginica)",
    ]
    out = pd.read_csv(io.BytesIO(downloads(at, "predict_download")))
    model = workspace_model(at)
    frame = pd.read_csv(SAMPLES / "iris.csv")
    assert list(out["predicted_species"]) == list(
        model.pipeline.predict(frame[list(model.config.features)])
    )
    assert len(out) == 150


def test_the_template_validates(app: Any, downloads: Any) -> None:
    at = train(app)
    template = downloads(at, "predict_template")
    upload(at, "template.csv", template)
    assert "Predicted 3 row(s) of template.csv." in texts(at, "success")


def test_missing_renamed_and_extra_columns_are_named(app: Any) -> None:
    at = train(app)
    text = "Sepal Length,sepal_width,petal_len,petal_width,colour\n5.1,3.5,1.4,0.2,red\n"
    upload(at, "renamed.csv", text.encode())
    errors = texts(at, "error")
    assert len(errors) == 1
    assert "the column “petal_length” is missing (did you mean “petal_len”?)" in errors[0]
    assert "sepal_length" not in errors[0]  # “Sepal Length” was matched


def test_wrong_types_are_named(app: Any) -> None:
    at = train(app)
    text = "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,long,0.2\n5,3,1,0.1\n"
    upload(at, "types.csv", text.encode())
    assert "“petal_length” should hold numbers, but 1 value(s) are not: “long”" in " ".join(
        texts(at, "error")
    )


def test_unseen_categories_are_predicted_with_a_warning(app: Any) -> None:
    at = train(app, "customers", "logistic")
    frame = pd.read_csv(SAMPLES / "customers.csv").head(20)
    frame.loc[:2, "plan"] = "Platinum"
    upload(at, "customers.csv", frame.to_csv(index=False).encode())
    assert "Predicted 20 row(s) of customers.csv." in texts(at, "success")
    assert any("“plan”: 3 row(s)" in w and "“Platinum”" in w for w in texts(at, "warning"))


def test_an_unreadable_file_is_an_error_not_a_crash(app: Any) -> None:
    at = train(app)
    upload(at, "empty.csv", b"")
    assert "is empty" in " ".join(texts(at, "error"))


def imported_beside_trained(app: Any) -> Any:
    """The Predict page with the trained model and an imported copy of it to choose from."""
    at = train(app)
    model_file = export.to_skops(
        export.bundle_from_model(
            workspace_model(at),
            at.session_state["glassbox_workspace"].dataset,
            at.session_state["glassbox_workspace"].profile,
        )
    )
    at.switch_page("pages/export.py").run()
    at.file_uploader(key="import_model").set_value(
        ("mine.skops", model_file, "application/octet-stream")
    ).run()
    assert_healthy(at)
    at.switch_page(PAGE).run()
    assert_healthy(at)
    return at


def test_an_imported_model_can_be_chosen(app: Any) -> None:
    at = imported_beside_trained(app)
    choice = at.radio(key="predict_source")
    assert len(choice.options) == 2 and choice.options[1].startswith("Imported (mine.skops)")
    choice.set_value("imported").run()
    assert_healthy(at)
    assert at.metric[0].label == "Predicted species"


def test_switching_the_language_keeps_the_chosen_model(app: Any) -> None:
    """The radio's options are the sources, not their (translated) labels."""
    at = imported_beside_trained(app)
    at.radio(key="predict_source").set_value("imported").run()
    at.sidebar.radio(key="ui_language").set_value("zh").run()
    assert_healthy(at)
    choice = at.radio(key="predict_source")
    assert choice.value == "imported" and choice.options[1].startswith("已导入（mine.skops）")
    assert at.metric[0].label == "species 预测值"
    at.sidebar.radio(key="ui_language").set_value("en").run()
    assert at.radio(key="predict_source").value == "imported"


def test_a_model_whose_data_changed_is_not_offered(app: Any) -> None:
    at = train(app)
    ws = at.session_state["glassbox_workspace"]
    ws.dataset = ws.dataset.derive(ws.dataset.frame.head(100), "head", "kept 100 rows")
    at.run()
    assert_healthy(at)
    assert any("data changed" in w for w in texts(at, "warning"))
    assert not at.number_input


def test_regression_shows_a_number_and_no_class_chart(app: Any) -> None:
    at = train(app, "study_hours", "linear")
    assert [w.label for w in at.number_input] == ["hours_studied"]
    model = workspace_model(at)
    hours = at.number_input[0].value
    expected = model.pipeline.predict(pd.DataFrame({"hours_studied": [hours]}))[0]
    assert at.metric[0].label == "Predicted exam_score"
    assert float(at.metric[0].value.replace(",", "")) == pytest.approx(expected, rel=1e-3)
    assert not at.get("vega_lite_chart")
    assert any(c.startswith("Training targets ranged") for c in texts(at, "caption"))
