"""The files the Export page offers: the model in each format, the model card, ``train.py``
and a zip of all of them with SHA-256 sums."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from mllib.export.bundle import METADATA_FILE, MODEL_STEM, ModelBundle
from mllib.export.card import model_card
from mllib.export.files import metadata_json, to_joblib, to_skops
from mllib.export.script import train_script
from mllib.i18n import Message, Translator, msg
from mllib.safezip import write_zip

MAX_DOWNLOAD_BYTES = 300 * 2**20


@dataclass(frozen=True)
class Artifact:
    """One downloadable file."""

    filename: str
    data: bytes
    mime: str
    description: str  # a Message: shown in the reader's language

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def downloadable(self) -> bool:
        return self.size <= MAX_DOWNLOAD_BYTES


def export_artifacts(bundle: ModelBundle, tr: Translator | None = None) -> list[Artifact]:
    """The model in both formats, the model card, ``train.py`` and a zip of all with sums; the
    card and the script's comments are in ``tr``'s language (English without one)."""
    files = [
        Artifact(
            f"{MODEL_STEM}.skops",
            to_skops(bundle),
            "application/octet-stream",
            msg(
                "The fitted scikit-learn pipeline with its metadata inside; loads without "
                "running code (skops.io.load, or import it into Glassbox)."
            ),
        ),
        Artifact(
            f"{MODEL_STEM}.joblib",
            to_joblib(bundle),
            "application/octet-stream",
            msg(
                "The same pipeline as a joblib pickle, for your own Python code (load only "
                "files you trust)."
            ),
        ),
        *(
            [
                Artifact(
                    f"{MODEL_STEM}.onnx",
                    bundle.onnx.data,
                    "application/octet-stream",
                    msg(
                        "The same model as ONNX, for ONNX Runtime in any language. {check}",
                        check=_message(bundle.onnx.message),
                    ),
                )
            ]
            if bundle.onnx.data is not None
            else []
        ),
        Artifact(
            METADATA_FILE,
            metadata_json(bundle.metadata),
            "application/json",
            msg(
                "The metadata: schema, classes, metrics, versions, data fingerprint, input columns."
            ),
        ),
        Artifact(
            "model-card.md",
            model_card(bundle, tr).encode(),
            "text/markdown",
            msg("Data, metrics, intended use and limitations."),
        ),
        Artifact(
            "train.py",
            train_script(bundle, tr).encode(),
            "text/x-python",
            msg("Rebuilds the same model from the data file (pandas + scikit-learn only)."),
        ),
    ]
    sums = "".join(f"{a.sha256}  {a.filename}\n" for a in files)
    packed = write_zip({**{a.filename: a.data for a in files}, "SHA256SUMS": sums.encode()})
    files.append(
        Artifact(
            f"{MODEL_STEM}.zip",
            packed,
            "application/zip",
            msg("All the files above plus SHA256SUMS (check with `sha256sum -c SHA256SUMS`)."),
        )
    )
    return files


def _message(text: str) -> Message:
    """``text`` as a Message (an older plain string is looked up as a msgid)."""
    return text if isinstance(text, Message) else Message(text)


def hash_table(artifacts: list[Artifact]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"file": a.filename, "size": human_size(a.size), "SHA-256": a.sha256} for a in artifacts]
    )


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{n} bytes"
