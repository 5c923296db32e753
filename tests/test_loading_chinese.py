"""Every refusal of a model file and a project file, read in Chinese: the message and hint come
from the catalogue, the file's name stays as it is, and only Python's own words for a damaged
file (quoted in parentheses) may stay English."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import skops.io as sio

from mllib import export
from mllib.errors import GlassboxError
from mllib.export import ModelMetadata, import_model
from mllib.i18n import translator
from mllib.project_file import read_project_file
from mllib.projects import Limits, ProjectStore, QuotaError
from mllib.safezip import write_zip
from tests.test_export import CLS, trained, with_pipeline, with_sklearn_version

ZH = translator("zh")
#: Python's and the libraries' own words inside parentheses, and quoted names, are data.
QUOTED = re.compile(r"（[^）]*）|“[^”]*”|\([^)]*\)|\.skops|\.joblib|SHA256SUMS|project\.json")
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,;:]+[A-Za-z]{2,}){2,}")


def bundle() -> export.ModelBundle:
    return trained("tree", CLS)[2]


def with_metadata(change: Callable[[dict], dict]) -> bytes:
    meta = bundle().metadata.to_dict()
    archive = zipfile.ZipFile(io.BytesIO(export.to_skops(bundle())))
    entries = {n: archive.read(n) for n in archive.namelist()}
    entries[export.SKOPS_METADATA] = json.dumps({"metadata": change(meta)}).encode()
    return write_zip(entries)


MODEL_REFUSALS: list[tuple[str, Callable[[], tuple[bytes, str]]]] = [
    ("pickle", lambda: (b"\x80\x04K\x01.", "model.joblib")),
    ("not skops", lambda: (export.to_skops(bundle()), "model.zip")),
    ("not a zip", lambda: (b"hello, I am a CSV\n1,2\n", "model.skops")),
    ("no glassbox metadata", lambda: (sio.dumps(bundle().pipeline), "plain.skops")),
    ("not a pipeline", lambda: (with_pipeline(bundle(), [1, 2]), "list.skops")),
    ("major version", lambda: (with_sklearn_version(bundle(), "0.24.2"), "old.skops")),
    ("newer format", lambda: (with_metadata(lambda m: {**m, "format_version": 9}), "n.skops")),
    ("older format", lambda: (with_metadata(lambda m: {**m, "format_version": 1}), "o.skops")),
    ("other format", lambda: (with_metadata(lambda m: {**m, "format": "x"}), "f.skops")),
    ("no schema", lambda: (with_metadata(lambda m: {**m, "schema": None}), "s.skops")),
    ("no sklearn version", lambda: (with_metadata(lambda m: {**m, "versions": {}}), "v.skops")),
]


@pytest.mark.parametrize("case", MODEL_REFUSALS, ids=[c[0] for c in MODEL_REFUSALS])
def test_every_model_refusal_reads_in_chinese(case: tuple) -> None:
    raw, name = case[1]()
    with pytest.raises(GlassboxError) as caught:
        import_model(raw, name)
    said = caught.value.text(ZH)
    assert said != str(caught.value) and (name in said) == (name in str(caught.value))
    assert not ENGLISH.findall(QUOTED.sub(" ", said)), said
    assert "。 " not in said  # a Chinese sentence's full stop needs no space after it


def test_a_newer_minor_version_is_a_chinese_note() -> None:
    major, minor = (int(p) for p in __import__("sklearn").__version__.split(".")[:2])
    _, notes = import_model(with_sklearn_version(bundle(), f"{major}.{minor + 1}.0"), "m.skops")
    assert notes and all(isinstance(n, str) for n in notes)
    assert "模型已加载，但预测结果可能略有差异" in ZH.text(notes[0])


PROJECT_REFUSALS: list[tuple[str, bytes, str]] = [
    ("not a zip", b"nope", "x.glassbox"),
    ("strange entries", write_zip({"evil.sh": b"x"}), "x.glassbox"),
    ("no manifest", write_zip({"SHA256SUMS": b""}), "x.glassbox"),
    ("bad sums", write_zip({"project.json": b"{}", "SHA256SUMS": b"nonsense"}), "x.glassbox"),
]


@pytest.mark.parametrize("case", PROJECT_REFUSALS, ids=[c[0] for c in PROJECT_REFUSALS])
def test_every_project_file_refusal_reads_in_chinese(case: tuple) -> None:
    _, raw, name = case
    with pytest.raises(GlassboxError) as caught:
        read_project_file(raw, name, 10 * 2**20)
    said = caught.value.text(ZH)
    assert said != str(caught.value) and name in said
    assert not ENGLISH.findall(QUOTED.sub(" ", said)), said


def test_a_too_large_project_file_names_the_limit_in_chinese() -> None:
    with pytest.raises(GlassboxError) as caught:
        read_project_file(b"x" * 2048, "big.glassbox", 1024)
    assert caught.value.text(ZH) == "“big.glassbox” 超过了项目大小上限 1 kB。"


def test_damaged_metadata_reads_in_chinese() -> None:
    with pytest.raises(GlassboxError) as caught:
        ModelMetadata.from_dict({**bundle().metadata.to_dict(), "split": "x"})
    assert caught.value.text(ZH) == "模型的元数据已损坏：“split”不是一条记录。"


def test_a_project_quota_reads_in_chinese(tmp_path: Path) -> None:
    store = ProjectStore(tmp_path, Limits(max_projects=1, max_age_days=30))
    store.create("one")
    with pytest.raises(QuotaError) as caught:
        store.create("two")
    assert caught.value.text(ZH) == (
        "这台服务器已保存 1 个项目，达到上限（GLASSBOX_MAX_PROJECTS = 1）：当前工作没有保存。"
        "请删除不再需要的项目，或请管理员提高上限；未使用的项目会在 30 天后删除。"
    )
