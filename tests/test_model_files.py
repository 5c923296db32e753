"""Uploaded model files cannot exhaust or crash the server: bounded unpacking (mllib.safezip),
trees checked node by node unless this server signed the file (mllib.treecheck, mllib.signing)."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mllib import export, signing, training
from mllib.data import read_table
from mllib.errors import GlassboxError
from mllib.profile import Task, default_features, profile_table
from mllib.safezip import ZipLimits, read_zip, write_zip
from mllib.training import TrainConfig
from mllib.treecheck import tree_nodes
from tests.test_export import trained

CLS, REG = Task.CLASSIFICATION, Task.REGRESSION


# --- bounded unpacking --------------------------------------------------------------------------

LIMITS = ZipLimits(max_total_bytes=1000, max_entry_bytes=600, max_entries=3)


def zip_of(entries: dict[str, bytes]) -> bytes:
    return write_zip(entries)


def test_read_zip_returns_entries_within_limits() -> None:
    data = zip_of({"a": b"x" * 500, "b": b"y" * 400})
    assert read_zip(data, LIMITS) == {"a": b"x" * 500, "b": b"y" * 400}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"a": b"x" * 601}, r"part “a” unpacks to more than 600 bytes"),
        ({"a": b"x" * 600, "b": b"y" * 600}, "unpacks to more than 1,000 bytes"),
        ({"a": b"", "b": b"", "c": b"", "d": b""}, "holds 4 files; at most 3"),
    ],
)
def test_read_zip_refuses_what_is_too_big(entries: dict[str, bytes], message: str) -> None:
    with pytest.raises(GlassboxError, match=message):
        read_zip(zip_of(entries), LIMITS, "m.skops")


def test_read_zip_refuses_a_per_name_limit_and_garbage() -> None:
    limits = ZipLimits(10_000, 10_000, entry_limits={"schema.json": 10})
    with pytest.raises(GlassboxError, match=r"schema\.json"):
        read_zip(zip_of({"schema.json": b"{" * 11}), limits)
    with pytest.raises(GlassboxError, match="not a zip archive"):
        read_zip(b"PK\x03\x04 not really", limits)


def test_an_entry_larger_than_its_directory_says_is_stopped() -> None:
    """The directory says 10 bytes; the data inflates to far more: reading stops, no crash."""
    data = bytearray(zip_of({"a": b"z" * 5000}))
    central = data.rfind(b"PK\x01\x02")  # the central directory record of "a"
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")  # uncompressed size
    data[26 - 4 : 26] = (10).to_bytes(4, "little")  # and the local header's
    with pytest.raises(GlassboxError, match="is damaged"):
        read_zip(bytes(data), ZipLimits(100, 100))


def test_a_skops_whose_schema_unpacks_to_gigabytes_is_refused_quickly() -> None:
    """The reported bomb (1.9 MB unpacking to 1.8 GB) scaled to 176 MB: over the schema limit."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("schema.json", "w", force_zip64=True) as entry:
            chunk = b" " * (1 << 24)
            for _ in range(11):
                entry.write(chunk)
        archive.writestr(export.SKOPS_METADATA, b"{}")
    data = buffer.getvalue()
    assert len(data) < 500_000
    start = time.perf_counter()
    with pytest.raises(GlassboxError, match=r"“bomb.skops” is refused: its part “schema.json”"):
        export.import_model(data, "bomb.skops")
    assert time.perf_counter() - start < 30  # a generous safety bound, not a benchmark


# --- signatures and trees -------------------------------------------------------------------


def tampered(data: bytes, change: Callable[[dict, dict[str, bytes]], None]) -> bytes:
    """The archive with the tree's arrays changed by ``change(state, files)``, re-zipped with
    its (now stale) signature, as an attacker editing a Glassbox file would."""
    entries = read_zip(data, export.ZIP_LIMITS)
    schema = json.loads(entries["schema.json"])
    (tree,) = list(tree_nodes(schema))
    change(tree, entries)
    entries["schema.json"] = json.dumps(schema).encode()
    return write_zip(entries)


def nodes_of(tree: dict, entries: dict[str, bytes]) -> tuple[str, np.ndarray]:
    name = tree["content"]["content"]["nodes"]["file"]
    return name, np.load(io.BytesIO(entries[name]), allow_pickle=False)


def put(entries: dict[str, bytes], name: str, array: np.ndarray) -> None:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    entries[name] = buffer.getvalue()


def set_field(field: str, value: float, where: str = "inner") -> Callable:
    def change(tree: dict, entries: dict[str, bytes]) -> None:
        name, nodes = nodes_of(tree, entries)
        inner = np.flatnonzero(nodes["left_child"] != -1)
        index = inner[-1] if where == "inner" else 0
        nodes[field][index] = value
        put(entries, name, nodes)

    return change


def set_state(key: str, value: str) -> Callable:
    def change(tree: dict, entries: dict[str, bytes]) -> None:
        tree["content"]["content"][key]["content"] = value

    return change


def test_glassbox_signs_its_files_and_knows_them() -> None:
    _, _, bundle = trained("tree", CLS)
    data = export.to_skops(bundle)
    assert export.open_skops(data).signed
    assert not export.open_skops(tampered(data, set_field("threshold", 0.123))).signed


def test_a_file_signed_by_another_server_is_checked_and_loads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, _, bundle = trained("tree", CLS)
    data = export.to_skops(bundle)
    monkeypatch.setenv(signing.ENV_HOME, str(tmp_path / "another-server"))
    assert not export.open_skops(data).signed
    loaded, notes = export.import_model(data, "theirs.skops")
    assert notes == [] and loaded.schema == bundle.schema
    assert (tmp_path / "another-server" / signing.KEY_FILE).stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (set_field("left_child", 10**6), "outside it or back up the tree"),
        (set_field("right_child", 0), "outside it or back up the tree"),  # a cycle to the root
        (set_field("feature", 10**6), "splits on a feature the model does not have"),
        (set_field("feature", -5), "splits on a feature the model does not have"),
        (set_field("threshold", np.nan), "threshold that is not finite"),
        (set_field("left_child", -1), "only one child"),
        (set_state("max_depth", "1000"), "levels deep"),
        (set_state("node_count", "3"), "nodes but stores"),
        (set_state("node_count", '"x"'), "unreadable node count"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_tampered_tree_is_refused_before_it_is_built(change: Callable, message: str) -> None:
    _, _, bundle = trained("tree", CLS)
    data = tampered(export.to_skops(bundle), change)
    with pytest.raises(GlassboxError, match=message):
        export.import_model(data, "tampered.skops")


def test_a_node_table_of_another_layout_is_refused() -> None:
    def change(tree: dict, entries: dict[str, bytes]) -> None:
        name, nodes = nodes_of(tree, entries)
        put(entries, name, np.zeros(len(nodes), dtype=[("left_child", "<i8")]))

    _, _, bundle = trained("tree", REG, (("criterion", "absolute_error"),))
    with pytest.raises(GlassboxError, match="node table of an unknown layout"):
        export.import_model(tampered(export.to_skops(bundle), change), "layout.skops")


def test_a_kernel_svm_on_sparse_one_hot_input_round_trips() -> None:
    """Wide categorical data gives sparse support vectors (scipy csr), loaded by skops as .npz."""
    rng = np.random.default_rng(0)
    n = 400
    frame = pd.DataFrame({f"c{j}": rng.choice([f"k{k}" for k in range(20)], n) for j in range(8)})
    frame["x"] = rng.normal(size=n)
    frame["y"] = np.where(frame["x"] + (frame["c0"] == "k1") > 0, "up", "down")
    dataset = read_table(frame.to_csv(index=False).encode(), "wide.csv")
    profile = profile_table(dataset.frame)
    config = TrainConfig.make("svm", CLS, "y", default_features(profile, "y").features)
    model = training.train_model(dataset.frame, profile, config, dataset.fingerprint)
    assert type(model.estimator.support_vectors_).__module__.startswith("scipy.sparse")
    bundle = export.bundle_from_model(model, dataset, profile)
    loaded, _ = export.import_model(export.to_skops(bundle), "wide.skops")
    rows = dataset.frame[bundle.schema.names]
    np.testing.assert_array_equal(loaded.predict(rows).values, bundle.predict(rows).values)


def test_signing_key_is_made_once_per_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(signing.ENV_HOME, str(tmp_path / "h"))
    first = signing.server_key()
    assert signing.server_key() == first and len(first) == signing.KEY_BYTES
    assert signing.verify(b"m", signing.sign(b"m"))
    assert not signing.verify(b"other", signing.sign(b"m"))
    assert not signing.verify(b"m", None)
    monkeypatch.setenv(signing.ENV_HOME, str(tmp_path / "other"))
    assert signing.server_key() != first
