"""The OpenAPI document as the server really answers.

FastAPI documents validation failures with its own ``HTTPValidationError``
shape; this server answers every error as ``{"error", "detail"}`` (plus
``fields`` for validation), so the document is corrected to say so, and every
operation lists the errors any request can meet (400, 413, 421, 422, 503).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from kiosk.server.models import ErrorOut, ValidationErrorOut

_ERROR = {"$ref": "#/components/schemas/ErrorOut"}
_VALIDATION = {"$ref": "#/components/schemas/ValidationErrorOut"}
_COMMON = {
    "400": ("a request that is not valid HTTP, or a malformed JSON body", _ERROR),
    "413": ("request body too large", _ERROR),
    "421": ("a Host header that is not this server's name", _ERROR),
    "422": ("invalid parameters or body", _VALIDATION),
    "503": ("queue database unavailable", _ERROR),
}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def build_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    spec = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for model in (ErrorOut, ValidationErrorOut):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    for operations in spec["paths"].values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, (description, schema) in _COMMON.items():
                # Any request can be unparsable HTTP (a bad Transfer-Encoding header:
                # the connection guard answers 400 before the app); only a body can
                # be too large.
                if status == "413" and "requestBody" not in operation:
                    continue
                responses[status] = _json(description, schema)
    app.openapi_schema = spec
    return spec


def install_openapi(app: FastAPI) -> None:
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
