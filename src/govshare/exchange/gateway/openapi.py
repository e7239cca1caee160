"""OpenAPI 3.1 documents of gateway resources (接口文档), generated from the data items and the
caller's grants: only granted items appear in the schemas, so a document leaks nothing a call
would not."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from govshare.exchange.gateway.policy import GrantPolicy, ItemInfo, ResourcePolicy

MAX_LIMIT = 100
MAX_OFFSET = 10_000

# 信息项数据类型 → JSON Schema
TYPES: dict[str, dict[str, Any]] = {
    "C": {"type": "string"},
    "M": {"type": "string"},
    "G": {"type": "string"},
    "N": {"type": "number"},
    "Y": {"type": "string", "description": "decimal amount"},
    "B": {"type": "number"},
    "F": {"type": "number"},
    "I": {"type": "integer"},
    "D": {"type": "string", "format": "date"},
    "T": {"type": "string", "format": "date-time"},
    "L": {"type": "boolean"},
}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "fields"],
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}

CONTEXT_HEADERS = [
    ("X-Request-Id", "Caller's request id (echoed; generated when absent)", 64),
    ("X-End-User", "The civil servant operating (经办人)", 100),
    ("X-Case-Number", "Case number (办件编号)", 100),
]


def item_schema(item: ItemInfo, masking: str) -> dict[str, Any]:
    schema = dict(TYPES.get(item.data_type, {"type": "string"}))
    if masking != "none":
        schema = {"type": "string"}  # a masked value is text whatever the stored type
    schema["title"] = item.name
    if item.description:
        schema["description"] = item.description
    if masking != "none":
        schema["x-masking"] = masking
    return {"anyOf": [schema, {"type": "null"}]}


def _headers() -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "header",
            "required": False,
            "description": text,
            "schema": {"type": "string", "maxLength": length},
        }
        for name, text, length in CONTEXT_HEADERS
    ]


def _errors(*statuses: int) -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {str(status): {"description": "error", "content": content} for status in statuses}


def _key_parameters(keys: Iterable[str], resource: ResourcePolicy) -> list[dict[str, Any]]:
    params = []
    for key in keys:
        item = resource.items.get(key)
        params.append(
            {
                "name": key,
                "in": "query",
                "required": False,
                "description": item.name if item else key,
                "schema": {"type": "array", "items": {"type": "string", "maxLength": 256}},
                "explode": True,
            }
        )
    return params


def _paging() -> list[dict[str, Any]]:
    return [
        {
            "name": "items",
            "in": "query",
            "description": "granted items to return (comma-separated); all granted when absent",
            "schema": {"type": "string"},
        },
        {
            "name": "limit",
            "in": "query",
            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_LIMIT, "default": 10},
        },
        {
            "name": "offset",
            "in": "query",
            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
        },
    ]


def _rows_response(name: str) -> dict[str, Any]:
    return {
        "description": "rows with the granted items, masked as granted",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "resource": {"type": "string"},
                        "items": {"type": "array", "items": {"type": "string"}},
                        "masked": {"type": "array", "items": {"type": "string"}},
                        "row_count": {"type": "integer"},
                        "rows": {
                            "type": "array",
                            "items": {"$ref": f"#/components/schemas/{name}"},
                        },
                    },
                }
            }
        },
    }


def _operation(grant: GrantPolicy, resource: ResourcePolicy, base: str) -> tuple[str, Any]:
    keys = resource.keys_for(grant.mode)
    errors = _errors(401, 403, 404, 413, 422, 429, 502, 503, 504)
    if grant.mode == "verify":
        fields = [*keys, *(i for i in grant.items if i not in keys and i in resource.items)]
        body = {
            "type": "object",
            "additionalProperties": False,
            "properties": {name: {"type": "string", "maxLength": 256} for name in fields},
        }
        result = {
            "type": "object",
            "properties": {
                "found": {"type": "boolean"},
                "match": {"type": "boolean"},
                "results": {
                    "type": "object",
                    "additionalProperties": {"type": "boolean"},
                },
            },
        }
        operation = {
            "post": {
                "summary": f"核验 {resource.name}",
                "operationId": "verify",
                "parameters": _headers(),
                "requestBody": {"content": {"application/json": {"schema": body}}},
                "responses": {
                    "200": {
                        "description": "match or no match per item, never stored values",
                        "content": {"application/json": {"schema": result}},
                    },
                    **errors,
                },
            }
        }
        return f"{base}/verify", operation
    parameters = [*_key_parameters(keys, resource), *_paging(), *_headers()]
    get = {
        "summary": f"{'查询' if grant.mode == 'query' else '代理'} {resource.name}",
        "operationId": grant.mode,
        "parameters": parameters,
        "responses": {"200": _rows_response("Row"), **errors},
    }
    return f"{base}/{grant.mode}", {"get": get}


def document(resource: ResourcePolicy, grants: list[GrantPolicy], server_url: str) -> dict:
    """The OpenAPI 3.1 document of ``resource`` for the caller's usable ``grants``."""
    ref = resource.code or str(resource.id)
    base = f"/gw/resources/{ref}"
    granted: dict[str, str] = {}
    for grant in grants:
        for item, masking in grant.items.items():
            if item in resource.items and grant.mode != "verify":
                granted.setdefault(item, masking)
    row = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            identifier: item_schema(resource.items[identifier], granted[identifier])
            for identifier in resource.items
            if identifier in granted
        },
    }
    paths: dict[str, Any] = {}
    for grant in grants:
        path, operation = _operation(grant, resource, base)
        paths[path] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": resource.name,
            "version": "1",
            "description": f"{resource.provider_name} · {ref}",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": {"Row": row, "Error": ERROR_SCHEMA},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }
