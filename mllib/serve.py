"""Serve an exported model as a JSON prediction service (the product's original Flask design).

``python -m mllib.serve glassbox-model.skops --port 8000`` runs it under waitress, a production
WSGI server; :func:`create_app_from_env` is the factory for gunicorn and friends. Every answer
is JSON, errors included: 400 malformed body, 401 missing or wrong API token (when one is
set), 404 unknown path, 405 wrong method, 413 body or row count over the limit, 415 not JSON,
422 rows that do not fit the schema or outputs that are not finite. The policies (strict fields,
``null`` = missing, unseen categories refused, ISO dates, length caps, the token) are in
``docs/serving.md``.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import Flask, Response, has_request_context, request
from werkzeug.exceptions import HTTPException

from mllib import blas_threads, export
from mllib.errors import GlassboxError
from mllib.export import ModelBundle
from mllib.i18n import N_, Message, Text, Translator, msg, pick_language, translator
from mllib.openapi import POLICIES, openapi
from mllib.predict import extreme_features, non_finite_rows
from mllib.row_checks import (
    ValidationError,
    check_records,
    rows_from_payload,
    shown,
)

log = logging.getLogger("glassbox.serve")

DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_BYTES = 16 * 2**20
ENV_MODEL = "GLASSBOX_MODEL"
ENV_TOKEN = "GLASSBOX_API_TOKEN"
ENV_TOKEN_FILE = "GLASSBOX_API_TOKEN_FILE"
MIN_TOKEN_CHARS = 16
OPEN_PATHS = frozenset({"/health"})  # answered without the token (load balancers probe it)


#: What Python's JSON and UTF-8 decoders say (their wording), marked so that a client asking in
#: another language reads it in that language (an unknown wording stays as Python wrote it).
DECODER_WORDS = (
    N_("Expecting value"),
    N_("Extra data"),
    N_("Expecting property name enclosed in double quotes"),
    N_("Expecting ':' delimiter"),
    N_("Expecting ',' delimiter"),
    N_("Unterminated string starting at"),
    N_("Invalid control character at"),
    N_("Invalid \\escape"),
    N_("Invalid \\uXXXX escape"),
    N_("invalid start byte"),
    N_("invalid continuation byte"),
    N_("unexpected end of data"),
)


class BadRequest(Exception):
    """A request problem found before schema validation (status + message)."""

    def __init__(self, status: int, code: str, message: Text) -> None:
        super().__init__(str(message))
        self.status, self.code, self.message = status, code, message


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    body = json.dumps(payload, allow_nan=False, ensure_ascii=False)
    try:
        body.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate slipped into a message: escape everything
        body = json.dumps(payload, allow_nan=False)
    return Response(body, status=status, mimetype="application/json", headers=headers)


def request_translator() -> Translator:
    """The language the client asks for in ``Accept-Language`` (English by default)."""
    asked = request.headers.get("Accept-Language") if has_request_context() else None
    return translator(pick_language(asked))


def error_response(
    status: int,
    code: str,
    message: Text,
    details: list[dict[str, Any]] | None = None,
    more: int = 0,
    headers: dict[str, str] | None = None,
) -> Response:
    """The JSON error; ``message`` in the client's language (``code`` stays the same)."""
    tr = request_translator()
    text = tr.text(message)
    payload: dict[str, Any] = {"error": {"status": status, "code": code, "message": text}}
    if details:
        payload["error"]["details"] = details
    if more:
        payload["error"]["more_problems"] = more
    return json_response(payload, status, {"Content-Language": tr.language, **(headers or {})})


def _reject_constant(name: str) -> Any:
    raise BadRequest(
        400,
        "invalid_number",
        msg("{name} is not valid JSON: numbers must be finite (got {name})", name=name),
    )


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise BadRequest(
                    400,
                    "duplicate_key",
                    msg("the key “{key}” appears twice in one object", key=shown(key)),
                )
            seen.add(key)
    return out


def parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity literals, no duplicate keys, bounded nesting."""
    if not raw.strip():
        raise BadRequest(400, "empty_body", msg("the request body is empty; send a JSON object"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BadRequest(
            400,
            "not_utf8",
            msg("the body is not UTF-8 text ({reason})", reason=Message(err.reason)),
        ) from err
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as err:
        raise BadRequest(
            400,
            "malformed_json",
            msg(
                "malformed JSON at line {line} column {column}: {problem}",
                line=err.lineno,
                column=err.colno,
                problem=Message(err.msg),  # Python's words, translated when known
            ),
        ) from err
    except RecursionError as err:
        raise BadRequest(400, "too_deep", msg("the JSON is nested too deeply")) from err
    except ValueError as err:  # e.g. an integer literal with thousands of digits
        raise BadRequest(
            400, "malformed_json", msg("the JSON could not be read: {problem}", problem=err)
        ) from err


def load_model_file(path: str | Path, trust_pickle: bool = False) -> tuple[ModelBundle, list[str]]:
    """Open a model to serve: ``.skops`` always (bounded, checked, allow-listed), ``.onnx``
    (run by ONNX Runtime, metadata inside); ``.joblib``
    only when the operator vouches for the file with ``trust_pickle`` (unpickling runs its
    code), its metadata read from ``model.json`` (or ``<name>.json``) beside it."""
    path = Path(path)
    if not path.is_file():
        raise GlassboxError(msg("No model file at {path}.", path=path))
    suffix = path.suffix.lower()
    if suffix == ".skops":
        return export.load_skops(path.read_bytes(), path.name)
    if suffix == ".onnx":
        return export.load_onnx(path.read_bytes(), path.name)
    if suffix == ".joblib":
        if not trust_pickle:
            raise GlassboxError(
                msg("{name} is a pickle: loading it runs code from the file.", name=path.name),
                msg("Serve the .skops file instead, or pass --trust-pickle if you made this file."),
            )
        beside = [path.with_suffix(".json"), path.with_name(export.METADATA_FILE)]
        meta_path = next((p for p in beside if p.is_file()), None)
        if meta_path is None:
            raise GlassboxError(
                msg(
                    "{name} needs its metadata: put the export's {metadata} next to it.",
                    name=path.name,
                    metadata=export.METADATA_FILE,
                ),
            )
        log.warning("%s: %s", path.name, PICKLE_WARNING)
        bundle = export.load_trusted_joblib(path.read_bytes(), meta_path.read_bytes())
        return bundle, export.check_versions(bundle.metadata)
    raise GlassboxError(
        msg(
            "{name}: serve a .skops or .onnx (or a trusted .joblib) Glassbox model.", name=path.name
        )
    )


PICKLE_WARNING = (
    "serving a pickle (--trust-pickle): loading it ran code from the file, which is safe "
    "only if you made it yourself; prefer the .skops file"
)


def read_token(token: str | None = None, token_file: str | Path | None = None) -> str | None:
    """The API token from a value or a file (first line), or ``None`` for no token; too short
    a token is refused (it could be guessed)."""
    if token_file:
        try:
            token = Path(token_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as err:
            raise GlassboxError(
                msg(
                    "The token file {token_file} could not be read: {err}",
                    token_file=token_file,
                    err=err,
                )
            ) from err
    if token is None:
        return None
    token = token.strip()
    if len(token) < MIN_TOKEN_CHARS:
        raise GlassboxError(
            msg(
                "The API token is shorter than {MIN_TOKEN_CHARS} characters.",
                MIN_TOKEN_CHARS=MIN_TOKEN_CHARS,
            ),
            msg("Make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"),
        )
    return token


def token_matches(header: str | None, token: str) -> bool:
    """``Authorization: Bearer <token>``, compared in constant time."""
    scheme, _, given = (header or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    # WSGI headers are latin-1 text: back to the bytes the client sent.
    return hmac.compare_digest(given.strip().encode("latin-1", "replace"), token.encode("utf-8"))


def create_app(
    model: ModelBundle | str | Path,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    trust_pickle: bool = False,
    token: str | None = None,
) -> Flask:
    """The Flask app for one model: ``POST /predict``, ``GET /health|/schema|/openapi.json``.

    With ``token``, every path but ``/health`` needs ``Authorization: Bearer <token>``.
    """
    blas_threads.limit()  # requests run side by side: see mllib/blas_threads.py
    if isinstance(model, ModelBundle):
        bundle = model
    else:
        bundle, notes = load_model_file(model, trust_pickle)
        for note in notes:
            log.warning(note)
    schema = bundle.schema
    app = Flask("glassbox.serve")
    app.config["MAX_CONTENT_LENGTH"] = max_bytes
    document = openapi(bundle, max_rows, max_bytes, auth=token is not None)
    schema_document = {**schema.to_dict(), "policies": POLICIES}

    @app.before_request
    def gate() -> Response | None:
        rule = request.url_rule
        if request.method == "OPTIONS" and rule is not None:
            # Flask's automatic answer is an empty text/html page; say the same in JSON.
            allowed = sorted(rule.methods or ())
            return json_response(
                {"path": request.path, "methods": allowed}, headers={"Allow": ", ".join(allowed)}
            )
        locked = request.path not in OPEN_PATHS and rule is not None
        if (
            token is not None
            and locked
            and not token_matches(request.headers.get("Authorization"), token)
        ):
            return error_response(
                401,
                "unauthorized",
                msg("this service needs an API token: send Authorization: Bearer <token>"),
                headers={"WWW-Authenticate": 'Bearer realm="glassbox"'},
            )
        return None

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Response:
        status = err.code or 500
        messages = {
            404: msg("no such endpoint {path}; see GET /openapi.json", path=request.path),
            405: msg("{method} is not allowed on {path}", method=request.method, path=request.path),
            413: msg("the body is larger than the limit of {limit:,} bytes", limit=max_bytes),
        }
        response = error_response(
            status,
            (err.name or "error").lower().replace(" ", "_"),
            messages.get(status, err.description or err.name),
        )
        allow = dict(err.get_headers()).get("Allow")
        if allow:
            response.headers["Allow"] = allow
        return response

    @app.errorhandler(Exception)
    def unexpected(err: Exception) -> Response:  # a bug: still JSON, never an HTML page
        log.exception("Unexpected error while serving %s", request.path)
        return error_response(500, "internal_error", msg("the service failed; see its log"))

    @app.get("/")
    def index() -> Response:
        return json_response(
            {
                "service": "Glassbox prediction service",
                "model": bundle.title,
                "endpoints": {
                    "POST /predict": "rows in, predictions out",
                    "GET /health": "liveness and model summary",
                    "GET /schema": "the feature schema",
                    "GET /openapi.json": "the OpenAPI 3 description",
                },
            }
        )

    @app.get("/health")
    def health() -> Response:
        meta = bundle.metadata
        return json_response(
            {
                "status": "ok",
                "model": bundle.title,
                "task": schema.task,
                "target": schema.target,
                "features": len(schema.features),
                "created": meta.created,
                "scikit_learn": meta.versions.get("scikit-learn"),
                "decision_threshold": bundle.threshold,  # None: the model's own cut-off
                "max_rows": max_rows,
                "max_bytes": max_bytes,
            }
        )

    @app.get("/schema")
    def get_schema() -> Response:
        return json_response(schema_document)

    @app.get("/openapi.json")
    def get_openapi() -> Response:
        return json_response(document)

    @app.post("/predict")
    def post_predict() -> Response:
        try:
            if request.mimetype != "application/json":
                got = request.content_type or "none"
                raise BadRequest(
                    415,
                    "unsupported_media_type",
                    msg(
                        "send the body as JSON with Content-Type: application/json (got {got})",
                        got=got,
                    ),
                )
            payload = parse_json(request.get_data(cache=False))
            rows = rows_from_payload(payload, schema)
            checked = check_records(rows, schema, max_rows)
        except BadRequest as err:
            return error_response(err.status, err.code, err.message)
        except ValidationError as err:
            code = "too_many_rows" if err.status == 413 else "invalid_rows"
            tr = request_translator()
            details = [p.to_dict(tr) for p in err.problems]
            return error_response(err.status, code, err.text(tr), details, err.more)
        try:
            prediction = bundle.predict(checked.frame)
        except GlassboxError as err:  # e.g. a value so large that scaling made it infinite
            outside = extreme_features(schema, checked.frame, list(range(len(checked.frame))))
            tr = request_translator()
            said = err.text(tr).rstrip(".。")
            if outside:
                said += tr("; check {names}", names=_quoted(outside))
            return error_response(422, "cannot_predict", said)
        bad = non_finite_rows(prediction)
        if bad:
            return non_finite_answer(bad, checked.frame)
        answer = prediction.records()
        if checked.warnings:
            answer["warnings"] = [request_translator().text(w) for w in checked.warnings]
        return json_response(answer)

    def non_finite_answer(rows: list[int], frame: Any) -> Response:
        names = extreme_features(schema, frame, rows)
        listed = _quoted(names)
        where = ", ".join(str(r) for r in rows[:8]) + (" …" if len(rows) > 8 else "")
        far = request_translator().text(msg("value far outside the training range"))
        return error_response(
            422,
            "non_finite_output",
            msg(
                "the model's output is not a finite number for row(s) {rows}: the inputs are "
                "too large for its arithmetic; check {names}",
                rows=where,
                names=listed,
            ),
            [{"field": n, "problem": far} for n in names[:8]],
        )

    return app


def _quoted(names: list[str], limit: int = 8) -> str:
    return ", ".join(f"“{n}”" for n in names[:limit]) + (" …" if len(names) > limit else "")


def create_app_from_env() -> Flask:
    """Factory for WSGI servers: ``gunicorn -w 4 'mllib.serve:create_app_from_env()'`` with the
    model path in ``GLASSBOX_MODEL`` (limits in ``GLASSBOX_MAX_ROWS``/``GLASSBOX_MAX_BYTES``)."""
    path = os.environ.get(ENV_MODEL)
    if not path:
        raise GlassboxError(
            msg("Set {ENV_MODEL} to the path of a .skops model file.", ENV_MODEL=ENV_MODEL)
        )
    return create_app(
        path,
        max_rows=int(os.environ.get("GLASSBOX_MAX_ROWS", DEFAULT_MAX_ROWS)),
        max_bytes=int(os.environ.get("GLASSBOX_MAX_BYTES", DEFAULT_MAX_BYTES)),
        token=read_token(os.environ.get(ENV_TOKEN), os.environ.get(ENV_TOKEN_FILE)),
    )


# --- command line ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mllib.serve",
        description="Serve a Glassbox model as a JSON prediction service (waitress).",
    )
    parser.add_argument("model", help="a .skops or .onnx file exported from Glassbox")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--threads", type=int, default=4, help="waitress worker threads")
    parser.add_argument("--max-rows", type=int, default=DEFAULT_MAX_ROWS)
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES)
    parser.add_argument(
        "--token-file",
        help=f"require Authorization: Bearer <the token in this file> (or set {ENV_TOKEN})",
    )
    parser.add_argument(
        "--trust-pickle",
        action="store_true",
        help="also serve a .joblib file (it runs code when loaded: only files you made)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        token = read_token(os.environ.get(ENV_TOKEN), args.token_file)
        bundle, notes = load_model_file(args.model, args.trust_pickle)
    except GlassboxError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for note in notes:
        print(f"warning: {note}", file=sys.stderr)
    app = create_app(bundle, max_rows=args.max_rows, max_bytes=args.max_bytes, token=token)
    from waitress import serve

    auth = (
        "API token required (Authorization: Bearer …; /health is open)"
        if token
        else "no API token: anyone who can reach this address can use it"
    )
    print(
        f"Serving {bundle.title} on http://{args.host}:{args.port} "
        f"(POST /predict, GET /health, /schema, /openapi.json); {auth}",
        flush=True,
    )
    serve(app, host=args.host, port=args.port, threads=args.threads, ident="glassbox")
    return 0


if __name__ == "__main__":
    sys.exit(main())
