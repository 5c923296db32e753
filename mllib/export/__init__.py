"""Model files that work anywhere, and the one safe way to load one back.

One module per concern, re-exported here so callers write ``from mllib import export`` and
``export.to_skops(bundle)`` without knowing the layout:

* :mod:`~mllib.export.bundle`: the fitted pipeline and its metadata (:class:`ModelBundle`);
* :mod:`~mllib.export.metadata`: that metadata, typed (:class:`ModelMetadata`), and its JSON;
* :mod:`~mllib.export.files`: its bytes as ``.joblib``, ``.skops`` and ``model.json``;
* :mod:`~mllib.export.loading`: the safe loader (``.skops`` only, fixed allow-list, trees signed
  or checked, versions compared; pickles are never opened);
* :mod:`~mllib.export.card`: the Markdown model card and the usage, serve and curl snippets;
* :mod:`~mllib.export.script`: the standalone ``train.py``, filled in from the real module
  :mod:`~mllib.export.train_template`;
* :mod:`~mllib.export.downloads`: the files the Export page offers, zipped with SHA-256 sums.
"""

from __future__ import annotations

from mllib.export.bundle import (
    METADATA_FILE,
    MODEL_STEM,
    SKOPS_METADATA,
    ModelBundle,
    build_metadata,
    bundle_from_model,
    data_filename,
    feature_kinds,
)
from mllib.export.card import curl_example, limitations, model_card, serve_command, usage_code
from mllib.export.downloads import (
    MAX_DOWNLOAD_BYTES,
    Artifact,
    export_artifacts,
    hash_table,
    human_size,
)
from mllib.export.files import ZIP_LIMITS, metadata_json, to_joblib, to_skops
from mllib.export.loading import (
    ALLOWED_TYPES,
    MAX_UPLOAD_BYTES,
    PICKLE_REFUSAL,
    SkopsFile,
    check_versions,
    import_model,
    load_onnx,
    load_skops,
    load_trusted_joblib,
    looks_like_pickle,
    open_skops,
    peek_metadata,
)
from mllib.export.metadata import (
    FORMAT,
    FORMAT_VERSION,
    AlgorithmInfo,
    DataInfo,
    ModelMetadata,
    ModelScores,
    SplitInfo,
    jsonable,
    library_versions,
)
from mllib.export.script import train_script

__all__ = [
    "ALLOWED_TYPES",
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_DOWNLOAD_BYTES",
    "MAX_UPLOAD_BYTES",
    "METADATA_FILE",
    "MODEL_STEM",
    "PICKLE_REFUSAL",
    "SKOPS_METADATA",
    "ZIP_LIMITS",
    "AlgorithmInfo",
    "Artifact",
    "DataInfo",
    "ModelBundle",
    "ModelMetadata",
    "ModelScores",
    "SkopsFile",
    "SplitInfo",
    "build_metadata",
    "bundle_from_model",
    "check_versions",
    "curl_example",
    "data_filename",
    "export_artifacts",
    "feature_kinds",
    "hash_table",
    "human_size",
    "import_model",
    "jsonable",
    "library_versions",
    "limitations",
    "load_onnx",
    "load_skops",
    "load_trusted_joblib",
    "looks_like_pickle",
    "metadata_json",
    "model_card",
    "open_skops",
    "peek_metadata",
    "serve_command",
    "to_joblib",
    "to_skops",
    "train_script",
    "usage_code",
]
