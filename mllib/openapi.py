"""The service's OpenAPI 3.0 document, generated from the model's feature schema.

What ``GET /openapi.json`` and ``GET /schema`` answer: every feature's JSON Schema (types,
ranges, categories, ISO dates), the request and response shapes, the error answers and the
policies the service applies (``docs/serving.md``), so a client generator or schemathesis can
read the contract instead of guessing it.
"""

from __future__ import annotations

from typing import Any

from mllib.export import ModelBundle
from mllib.row_checks import MAX_ABS_NUMBER, MAX_TEXT_CHARS
from mllib.schema import DATETIME, NUMERIC, Feature, FeatureSchema

POLICIES = {
    "fields": "every feature is required in every row; unknown fields are rejected (422)",
    "nulls": "null is accepted for any feature and means missing: it is filled in as in "
    "training (median, or most frequent category)",
    "types": "numbers must be finite JSON numbers (not strings, booleans, NaN or Infinity) "
    f"within ±{MAX_ABS_NUMBER:g}; "
    "categories are strings (JSON booleans for true/false features) of at most "
    f"{MAX_TEXT_CHARS:,} characters; dates are ISO 8601 calendar days (YYYY-MM-DD, "
    "OpenAPI format: date)",
    "outputs": "an output that is not a finite number (inputs too large for the model's "
    "arithmetic) is a 422 naming the inputs to check",
    "unseen_categories": "a category the model never saw is rejected (422) with the known ones",
    "ranges": "numbers outside the training range are accepted and listed in 'warnings'",
}


def feature_schema(feature: Feature) -> dict[str, Any]:
    """The JSON Schema (OpenAPI 3.0 dialect) of one feature's value."""
    out: dict[str, Any] = {"nullable": True}
    if feature.role == NUMERIC:
        out["type"] = "number"
        out["minimum"] = -MAX_ABS_NUMBER
        out["maximum"] = MAX_ABS_NUMBER
        out["description"] = f"number; training range {feature.range_text()}"
        out["x-training-minimum"] = feature.minimum
        out["x-training-maximum"] = feature.maximum
    elif feature.role == DATETIME:
        out["type"] = "string"
        out["format"] = "date"
        out["description"] = (
            f"an ISO 8601 date such as 2024-01-31; training range {feature.range_text()}"
        )
    elif feature.json_boolean:
        out["type"] = "boolean"
        out["description"] = "true or false"
    else:
        out["type"] = "string"
        if feature.categories:
            out["enum"] = [*feature.categories, None]
        else:
            out["maxLength"] = MAX_TEXT_CHARS
        out["description"] = f"one of {len(feature.categories)} categories"
    out["example"] = feature.example()
    return out


def openapi(
    bundle: ModelBundle, max_rows: int, max_bytes: int, auth: bool = False
) -> dict[str, Any]:
    """An OpenAPI 3.0.3 document generated from the feature schema; with ``auth``, it declares
    the bearer token every path but ``/health`` needs."""
    schema: FeatureSchema = bundle.schema
    row = {
        "type": "object",
        "required": schema.names,
        "additionalProperties": False,
        "properties": {f.name: feature_schema(f) for f in schema.features},
    }
    if schema.is_classifier:
        label: dict[str, Any] = {"type": "string", "enum": list(schema.classes or ())}
    else:
        label = {"type": "number"}
    per_class = {"type": "object", "additionalProperties": {"type": "number"}}
    response: dict[str, Any] = {
        "type": "object",
        "required": ["predictions"],
        "properties": {
            "predictions": {"type": "array", "items": label},
            "warnings": {"type": "array", "items": {"type": "string"}},
        },
    }
    if schema.is_classifier:
        response["properties"]["probabilities"] = {
            "type": "array",
            "items": per_class,
            "description": "per row, the probability of each class (models that have them)",
        }
        response["properties"]["scores"] = {
            "type": "array",
            "items": per_class,
            "description": "per row, SVM decision scores (SVMs give no probabilities)",
        }
    error = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "code", "message"],
                "properties": {
                    "status": {"type": "integer"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {"type": "array", "items": {"type": "object"}},
                    "more_problems": {
                        "type": "integer",
                        "description": "problems found beyond those listed in details",
                    },
                },
            }
        },
    }
    err_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}

    def errors(*codes: int) -> dict[str, Any]:
        text = {
            400: "malformed JSON",
            401: "missing or wrong API token (Authorization: Bearer <token>)",
            404: "no such path",
            405: "wrong method",
            413: f"body over {max_bytes:,} bytes or more than {max_rows:,} rows",
            415: "not application/json",
            422: "rows that do not fit the schema, or outputs that are not finite numbers",
        }
        if auth:
            codes = (*codes, 401)
        return {str(c): {"description": text[c], "content": err_ref} for c in sorted(codes)}

    def get(summary: str, ref: dict[str, Any], open_path: bool = False) -> dict[str, Any]:
        operation: dict[str, Any] = {
            "summary": summary,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": ref}}},
                **({} if open_path else errors()),
            },
        }
        if open_path and auth:
            operation["security"] = []
        return {"get": operation}

    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"Glassbox model: {bundle.title}",
            "version": bundle.metadata.created or "1",
            "description": "Policies: " + "; ".join(f"{k}: {v}" for k, v in POLICIES.items()),
        },
        "paths": {
            "/predict": {
                "post": {
                    "summary": "Predict one or more rows",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        {"$ref": "#/components/schemas/PredictRequest"},
                                        {"$ref": "#/components/schemas/Row"},
                                    ]
                                },
                                "example": {"rows": [schema.example_row()]},
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "predictions, in the order of the rows",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/PredictResponse"}
                                }
                            },
                        },
                        **errors(400, 413, 415, 422),
                    },
                }
            },
            "/health": get("Liveness and a model summary", {"type": "object"}, open_path=True),
            "/schema": get("The feature schema", {"type": "object"}),
            "/openapi.json": get("This document", {"type": "object"}),
        },
        "components": {
            "schemas": {
                "Row": row,
                "PredictRequest": {
                    "type": "object",
                    "required": ["rows"],
                    "additionalProperties": False,
                    "properties": {
                        "rows": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": max_rows,
                            "items": {"$ref": "#/components/schemas/Row"},
                        }
                    },
                },
                "PredictResponse": response,
                "Error": error,
            },
            **(
                {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}
                if auth
                else {}
            ),
        },
        **({"security": [{"bearer": []}]} if auth else {}),
    }
