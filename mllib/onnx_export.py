"""The model as ONNX (skl2onnx), checked with ONNX Runtime before it is offered.

The ONNX graph takes one input per cleaned column (:func:`mllib.cleaning.clean_features`):
``float32`` ``[N, 1]`` for numbers and date parts, ``string`` ``[N, 1]`` for categories, where
the empty string means missing (ONNX's imputer needs a string marker; Glassbox's cleaning
gives NaN). Outputs: ``label`` and, for classifiers, ``probabilities`` or SVM ``scores``.

ONNX Runtime computes in 32-bit floats, so every conversion is checked at export on the model's
test rows: the same class labels, regression within :data:`REGRESSION_RTOL` relative,
probabilities within :data:`PROBABILITY_ATOL`. A model that fails, or that skl2onnx cannot
convert, gets a :class:`OnnxExport` with no file and the reason, for the page to show.
"""

from __future__ import annotations

import copy
import json
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from mllib.errors import GlassboxError
from mllib.i18n import Message, msg
from mllib.predict import Prediction

REGRESSION_RTOL = 1e-5
PROBABILITY_ATOL = 1e-4
METADATA_KEY = "glassbox"
MISSING_TEXT = ""


@dataclass(frozen=True)
class OnnxExport:
    """The ``.onnx`` file and how it compared with scikit-learn, or why there is none."""

    data: bytes | None
    message: str
    rows_checked: int = 0

    @property
    def ok(self) -> bool:
        return self.data is not None


def input_kinds(inputs: dict[str, list[str]]) -> dict[str, str]:
    """``{cleaned column: "float" | "string"}`` in the pipeline's input order."""
    categorical = set(inputs["categorical"])
    return {c: "string" if c in categorical else "float" for c in inputs["columns"]}


def feeds(frame: pd.DataFrame, kinds: dict[str, str]) -> dict[str, np.ndarray]:
    """ONNX Runtime inputs for cleaned rows: float32 columns, text columns with "" for missing."""
    out = {}
    for name, kind in kinds.items():
        column = frame[name]
        if kind == "float":
            out[name] = column.to_numpy(dtype=np.float32).reshape(-1, 1)
        else:
            text = column.astype(object).where(column.notna(), MISSING_TEXT)
            out[name] = text.to_numpy(dtype=object).astype(str).reshape(-1, 1)
    return out


def _register_target_scaling() -> None:
    """skl2onnx has no converter for TransformedTargetRegressor; Glassbox's SVR/LinearSVR scale
    the target with a StandardScaler, so the output is ``regressor × scale + mean``."""
    from skl2onnx import update_registered_converter
    from skl2onnx.algebra.onnx_operator import OnnxSubEstimator
    from skl2onnx.algebra.onnx_ops import OnnxAdd, OnnxMul
    from skl2onnx.common.shape_calculator import calculate_linear_regressor_output_shapes
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import StandardScaler

    def convert(scope: Any, operator: Any, container: Any) -> None:
        wrapper = operator.raw_operator
        if not isinstance(wrapper.transformer_, StandardScaler):
            raise NotImplementedError("only a standardised target can be converted")
        version = container.target_opset
        inner = OnnxSubEstimator(wrapper.regressor_, operator.inputs[0], op_version=version)
        scale = np.asarray(wrapper.transformer_.scale_, dtype=np.float32)
        mean = np.asarray(wrapper.transformer_.mean_, dtype=np.float32)
        scaled = OnnxMul(inner, scale, op_version=version)
        OnnxAdd(scaled, mean, op_version=version, output_names=operator.outputs[:1]).add_to(
            scope, container
        )

    update_registered_converter(
        TransformedTargetRegressor,
        "GlassboxScaledTargetRegressor",
        calculate_linear_regressor_output_shapes,
        convert,
    )


_REGISTERED = False


def convert(pipeline: Pipeline, inputs: dict[str, list[str]], metadata: dict[str, Any]) -> bytes:
    """The ONNX bytes of a fitted plain pipeline; raises whatever skl2onnx raises."""
    global _REGISTERED
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    if not _REGISTERED:
        _register_target_scaling()
        _REGISTERED = True
    pipe = copy.deepcopy(pipeline)
    prep = pipe.steps[0][1] if len(pipe.steps) > 1 else None
    for name, piece, _ in getattr(prep, "transformers_", []):
        if name == "cat":  # the ONNX imputer needs a text marker for "missing"
            piece.named_steps["impute"].missing_values = MISSING_TEXT
    types = {"float": FloatTensorType([None, 1]), "string": StringTensorType([None, 1])}
    initial = [(name, types[kind]) for name, kind in input_kinds(inputs).items()]
    estimator = pipe.steps[-1][1]
    options: dict[Any, Any] | None = None
    if hasattr(estimator, "classes_"):
        options = {type(estimator): {"zipmap": False}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = convert_sklearn(pipe, initial_types=initial, options=options)
        except NameError:  # LinearSVC's converter has no zipmap option
            options = {type(estimator): {"nocl": False}}
            model = convert_sklearn(pipe, initial_types=initial, options=options)
    entry = model.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, json.dumps(metadata, ensure_ascii=False)
    model.doc_string = f"Glassbox model: {metadata.get('algorithm', {}).get('name', 'model')}"
    data: bytes = model.SerializeToString()
    return data


class OnnxRunner:
    """An ONNX Runtime session that answers like :func:`mllib.predict.predict`."""

    def __init__(self, data: bytes, inputs: dict[str, list[str]], classes: list[str] | None):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(
            data, options, providers=["CPUExecutionProvider"]
        )
        self.kinds = input_kinds(inputs)
        self.classes = classes
        self.output_names = [o.name for o in self.session.get_outputs()]

    def run(self, cleaned: pd.DataFrame) -> list[np.ndarray]:
        outputs: list[np.ndarray] = self.session.run(None, feeds(cleaned, self.kinds))
        return outputs

    def predict(self, cleaned: pd.DataFrame) -> Prediction:
        outputs = self.run(cleaned)
        values = np.asarray(outputs[0]).ravel()
        if self.classes is None:
            return Prediction(values.astype(float))
        values = values.astype(str).astype(object)
        if len(outputs) < 2:
            return Prediction(values)
        scores = np.asarray(outputs[1], dtype=float)
        if self.output_names[1] == "probabilities" and _is_probability(scores):
            return Prediction(values, pd.DataFrame(scores, columns=self.classes), "probability")
        if len(self.classes) == 2 and scores.ndim == 2 and scores.shape[1] == 2:
            scores = scores[:, 1:]  # sklearn gives one score for the 2nd class
        columns = [self.classes[1]] if scores.shape[1] == 1 else self.classes
        return Prediction(values, pd.DataFrame(scores, columns=columns), "decision score")


def _is_probability(scores: np.ndarray) -> bool:
    return bool(
        scores.ndim == 2 and (scores >= -1e-6).all() and np.allclose(scores.sum(1), 1, atol=1e-4)
    )


def compare(expected: Prediction, got: Prediction, regression: bool) -> str | None:
    """What differs beyond the tolerances, or ``None`` when ONNX agrees with scikit-learn."""
    if regression:
        want = np.asarray(expected.values, dtype=float)
        have = np.asarray(got.values, dtype=float)
        error = np.abs(have - want) / np.maximum(np.abs(want), np.finfo(float).tiny)
        worst = float(error.max()) if len(error) else 0.0
        if not worst <= REGRESSION_RTOL:
            return msg(
                "its predictions differ from scikit-learn's by up to {worst} relative "
                "(allowed {allowed}): ONNX Runtime computes in 32-bit floats",
                worst=_sci(worst, 1),
                allowed=_sci(REGRESSION_RTOL),
            )
        return None
    differ = int((np.asarray(expected.values).astype(str) != got.values.astype(str)).sum())
    if differ:
        return msg(
            "it predicts a different class than scikit-learn for {rows} test row(s)", rows=differ
        )
    if expected.score_kind == "probability":
        if got.score_kind != "probability" or got.scores is None or expected.scores is None:
            return msg("it gives no class probabilities although the model does")
        worst = float(np.abs(got.scores.to_numpy() - expected.scores.to_numpy()).max())
        if not worst <= PROBABILITY_ATOL:
            return msg(
                "its class probabilities differ from scikit-learn's by up to {worst} "
                "(allowed {allowed})",
                worst=_sci(worst, 1),
                allowed=_sci(PROBABILITY_ATOL),
            )
    return None


def export_onnx(bundle: Any, rows: pd.DataFrame | None) -> OnnxExport:
    """Convert ``bundle`` and check it on ``rows`` (raw test rows); never raises."""
    name = Message(bundle.algorithm)  # the algorithm's name, translated with the sentence
    if rows is None or not len(rows):
        return OnnxExport(None, msg("No test rows to check an ONNX file against, so none is made."))
    try:
        data = convert(bundle.pipeline, bundle.inputs, bundle.metadata.to_dict())
    except Exception as err:  # skl2onnx raises many types for what it cannot convert
        return OnnxExport(
            None,
            msg("{name} cannot be converted to ONNX: {reason}", name=name, reason=_reason(err)),
        )
    try:
        cleaned = bundle.clean(rows[bundle.schema.names])
        runner = OnnxRunner(data, bundle.inputs, _classes(bundle))
        got = runner.predict(cleaned)
    except Exception as err:  # onnxruntime rejects some converted graphs
        return OnnxExport(
            None,
            msg(
                "ONNX Runtime cannot run the converted {name}: {reason}",
                name=name,
                reason=_reason(err),
            ),
        )
    problem = compare(bundle.predict_raw(rows), got, not bundle.schema.is_classifier)
    if problem:
        return OnnxExport(
            None,
            msg("{name}: no ONNX file is offered, because {problem}.", name=name, problem=problem),
        )
    return OnnxExport(
        data,
        _checked(len(rows), bundle.schema.is_classifier, got.score_kind == "probability"),
        len(rows),
    )


def _checked(rows: int, classifier: bool, probabilities: bool) -> Message:
    """What the check of an offered ONNX file found, for people."""
    if not classifier:
        return msg(
            "Checked with ONNX Runtime on {rows:,} test rows: predictions within {allowed} "
            "relative of scikit-learn's.",
            rows=rows,
            allowed=_sci(REGRESSION_RTOL),
        )
    if probabilities:
        return msg(
            "Checked with ONNX Runtime on {rows:,} test rows: the same class for every row, "
            "probabilities within {allowed}.",
            rows=rows,
            allowed=_sci(PROBABILITY_ATOL),
        )
    return msg(
        "Checked with ONNX Runtime on {rows:,} test rows: the same class for every row.",
        rows=rows,
    )


def _sci(value: float, digits: int = 0) -> str:
    """``1e-4`` / ``1.3e-4`` (Python writes ``1e-04``)."""
    mantissa, _, exponent = f"{value:.{digits}e}".partition("e")
    return f"{mantissa}e{int(exponent)}"


def _classes(bundle: Any) -> list[str] | None:
    return list(bundle.schema.classes) if bundle.schema.is_classifier else None


def _reason(err: Exception) -> str:
    text = " ".join(str(err).split())
    if "shape calculator" in text or "converter" in text.lower():
        kind = text.split("'")[1] if "'" in text else type(err).__name__
        return msg("skl2onnx has no converter for {kind}", kind=kind.rsplit(".", 1)[-1])
    return (text[:200] + "…") if len(text) > 200 else text or type(err).__name__


def read_metadata(data: bytes, filename: str = "model.onnx") -> dict[str, Any]:
    """The Glassbox metadata stored in an ``.onnx`` file (its ``metadata_props``)."""
    import onnx

    try:
        model = onnx.load_model_from_string(data)
        props = {p.key: p.value for p in model.metadata_props}
    except Exception as err:  # protobuf raises its own types on garbage
        raise GlassboxError(
            msg("“{filename}” is not a readable ONNX model ({err}).", filename=filename, err=err)
        ) from err
    if METADATA_KEY not in props:
        raise GlassboxError(
            msg("“{filename}” is an ONNX file but not a Glassbox model.", filename=filename)
        )
    try:
        metadata = json.loads(props[METADATA_KEY])
    except ValueError as err:
        raise GlassboxError(
            msg("“{filename}” has damaged Glassbox metadata ({err}).", filename=filename, err=err)
        ) from err
    if not isinstance(metadata, dict):
        raise GlassboxError(msg("“{filename}” has damaged Glassbox metadata.", filename=filename))
    return metadata
