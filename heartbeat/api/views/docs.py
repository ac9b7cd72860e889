"""The OpenAPI document, and a page to read it: rendered here from the document itself, so it
works offline and under the site's content security policy (no scripts from anywhere), and reads
like the rest of the site (headings, tables, keyboard and screen-reader friendly).

Both are open to anyone: the document describes the API, and no data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, json, render_template

from heartbeat.api.blueprint import docs_bp

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    parameters: list[dict[str, Any]]
    body: str | None
    responses: list[tuple[str, str, str | None]]


@dataclass
class Group:
    name: str
    operations: list[Operation] = field(default_factory=list)


def _document() -> dict[str, Any]:
    return current_app.extensions["heartbeat.api"].document


def type_of(schema: dict[str, Any] | None) -> str:
    """A schema as a few words: ``string (date-time)``, ``Session``, ``list of Stage``."""
    if not schema:
        return "any"
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(type_of(option) for option in schema["anyOf"])
    kind = schema.get("type", "object")
    kinds = kind if isinstance(kind, list) else [kind]
    words = []
    for one in kinds:
        if one == "array":
            words.append(f"list of {type_of(schema.get('items'))}")
        elif one == "null":
            words.append("null")
        else:
            words.append(one + (f" ({schema['format']})" if "format" in schema else ""))
    text = " or ".join(words)
    if "enum" in schema:
        text += ": " + ", ".join(str(value) for value in schema["enum"] if value is not None)
    return text


def _media_schema(content: dict[str, Any] | None) -> str | None:
    for media in (content or {}).values():
        return type_of(media.get("schema"))
    return None


def _response(doc: dict[str, Any], response: dict[str, Any]) -> tuple[str, str | None]:
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    return response.get("description", ""), _media_schema(response.get("content"))


def groups(doc: dict[str, Any]) -> list[Group]:
    by_tag: dict[str, Group] = {}
    for path, item in doc.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            tag = (operation.get("tags") or ["Other"])[0]
            responses = []
            for status, response in operation.get("responses", {}).items():
                description, schema = _response(doc, response)
                responses.append((status, description, schema))
            body = operation.get("requestBody", {}).get("content")
            by_tag.setdefault(tag, Group(tag)).operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    anchor=operation.get("operationId") or f"{method}-{path}",
                    summary=operation.get("summary", ""),
                    description=operation.get("description", ""),
                    parameters=[*shared, *operation.get("parameters", [])],
                    body=_media_schema(body),
                    responses=responses,
                )
            )
    return list(by_tag.values())


@docs_bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3.1 document."""
    return current_app.response_class(
        json.dumps(_document(), indent=2), mimetype="application/json"
    )


@docs_bp.get("/docs")
def docs():
    doc = _document()
    return render_template(
        "api/docs.html",
        doc=doc,
        groups=groups(doc),
        schemas=doc.get("components", {}).get("schemas", {}),
        type_of=type_of,
    )
