"""The exported files in the reader's language: a Chinese model card (headings, sentences,
metric names, numbers and dates through the Translator; the model's data as it is) and a
Chinese train.py whose comments are Chinese and whose code is the English one's."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import joblib
import numpy as np
import pytest

from mllib import export
from mllib.i18n import translator
from tests.app.chinese import CODE, SENTENCE
from tests.conftest import SAMPLES
from tests.test_export import CLS, REG, run_script, trained

ZH = translator("zh")


def english_left(text: str, data: list[str]) -> list[str]:
    """Runs of three or more English words outside code blocks, `code` and ``data``."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = CODE.sub(" ", text)
    for name in sorted(data, key=len, reverse=True):
        text = text.replace(name, " ")
    return [m.group(0) for m in SENTENCE.finditer(text.replace("Glassbox", " "))]


def card_data(bundle: export.ModelBundle) -> list[str]:
    """What the card writes as data: names, categories, classes, versions, estimator."""
    schema, meta = bundle.schema, bundle.metadata
    names = [*schema.names, schema.target, *(schema.classes or []), meta.data.file]
    for feature in schema.features:
        names += list(feature.categories)
    names += [f"{k} {v}" for k, v in meta.versions.items()]
    return names


@pytest.mark.parametrize(
    ("algorithm", "task"), [("tree", CLS), ("logistic", CLS), ("ridge", REG), ("svm", REG)]
)
def test_the_chinese_model_card_has_no_english_sentence(algorithm: str, task: object) -> None:
    _, model, bundle = trained(algorithm, task)
    card = export.model_card(bundle, ZH)
    for heading in ("## 模型详情", "## 数据", "## 指标", "## 预期用途", "## 局限", "## 版本"):
        assert heading in card
    left = english_left(card, card_data(bundle))
    assert not left, left
    # the data stays as it is; metric names, numbers and dates go through the translator
    assert f"`{bundle.schema.target}`" in card and bundle.metadata.data.fingerprint in card
    primary, value = next(iter(model.test_scores.items()))
    assert f"| {ZH(primary)} | " in card and ZH.number(value, 4) in card
    assert "年" in card.split("\n")[2] and "（UTC）" in card.split("\n")[2]
    assert ZH.number(bundle.metadata.data.rows) in card


def test_the_english_card_reads_as_before() -> None:
    _, _, bundle = trained("tree", CLS)
    card = export.model_card(bundle)
    assert card == export.model_card(bundle, translator("en"))
    assert card.startswith("# Model card: Decision tree predicting “churned”")
    assert "| numeric | age, monthly_spend" in card and "fill missing with median" in card
    assert "- Split: 750 training rows, 250 test rows, seed 0, stratified by class" in card


def test_the_chinese_card_says_the_preprocessing_from_the_column_plan() -> None:
    _, _, bundle = trained("logistic", CLS)
    card = export.model_card(bundle, ZH)
    assert (
        "| 类别 / 布尔 | region, plan, has_partner | 用最常见的类别填补缺失值 → 独热编码；" in card
    )
    assert "| 日期 | signup_date | 展开为 signup_date_year, signup_date_month" in card
    assert "fill missing" not in card and "infrequent" not in card


def test_a_file_without_a_column_plan_shows_its_stored_summary() -> None:
    """Files written before the metadata kept the plan: their English summary, as written."""
    _, _, bundle = trained("logistic", CLS)
    old = dataclasses.replace(bundle, metadata=dataclasses.replace(bundle.metadata, column_plan={}))
    card = export.model_card(old, ZH)
    assert "| numeric | age, monthly_spend, support_calls, tenure_months | fill missing" in card
    assert export.model_card(old) == export.model_card(bundle)  # English: the same card


def without_docstrings(source: str) -> str:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body[0] = ast.Pass()
    return ast.dump(tree)


def test_the_chinese_train_py_has_chinese_comments_and_the_same_code(tmp_path: Path) -> None:
    dataset, model, bundle = trained("tree", CLS)
    english, chinese = export.train_script(bundle), export.train_script(bundle, ZH)
    assert english != chinese
    assert without_docstrings(english) == without_docstrings(chinese)  # comments aside
    assert chinese.startswith(
        '#!/usr/bin/env python3\n"""重新构建 Glassbox 模型：预测“churned”的决策树'
    )
    assert "# 删除目标缺失或为无穷大的行" in chinese
    assert '"""Glassbox 显示的指标，按同样的方式计算。"""' in chinese
    assert "# --- Glassbox 的辅助函数" in chinese
    (tmp_path / "customers.csv").write_bytes((SAMPLES / "customers.csv").read_bytes())
    for name, text in (("en.py", english), ("zh.py", chinese)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    printed = [run_script(tmp_path / f"{n}.py", tmp_path, f"{n}.joblib") for n in ("en", "zh")]
    assert printed[0].replace("en.joblib", "zh.joblib") == printed[1]
    assert f"test accuracy: {model.test_scores['accuracy']:.10f}" in printed[1]
    rows = bundle.clean(dataset.frame[list(bundle.schema.names)])
    en_pipe, zh_pipe = (joblib.load(tmp_path / f"{n}.joblib") for n in ("en", "zh"))
    np.testing.assert_array_equal(en_pipe.predict(rows), zh_pipe.predict(rows))
    np.testing.assert_array_equal(en_pipe.predict_proba(rows), zh_pipe.predict_proba(rows))
    np.testing.assert_array_equal(zh_pipe.predict(rows), bundle.pipeline.predict(rows))


def test_the_download_offers_the_card_and_script_in_the_readers_language() -> None:
    _, _, bundle = trained("tree", CLS)
    files = {a.filename: a for a in export.export_artifacts(bundle, ZH)}
    assert files["model-card.md"].data.decode().startswith("# 模型卡：用决策树预测“churned”")
    assert "重新构建 Glassbox 模型" in files["train.py"].data.decode()
    said = ZH.text(files["train.py"].description)
    assert said == "用数据文件重新构建同一个模型（只需 pandas + scikit-learn）。"
    english = {a.filename: a for a in export.export_artifacts(bundle)}
    assert english["model-card.md"].data.decode().startswith("# Model card: Decision tree")
