"""Error values of the exchange gateway (网关): a code, an HTTP status and a message per code.

Bodies are ``{"code", "message", "fields"}`` like the rest of the API (CONVENTIONS rule 7). The
gateway runs outside Django's request cycle, so its messages live here in both languages rather
than going through gettext per call: Chinese by default, English for ``Accept-Language: en``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class GatewayCode(StrEnum):
    NOT_AUTHENTICATED = "not_authenticated"
    TOKEN_INVALID = "token_invalid"
    TOKEN_EXPIRED = "token_expired"
    BAD_CREDENTIALS = "bad_credentials"
    CREDENTIAL_REVOKED = "credential_revoked"
    IP_NOT_ALLOWED = "ip_not_allowed"
    NO_GRANT = "no_grant"
    GRANT_SUSPENDED = "grant_suspended"
    GRANT_EXPIRED = "grant_expired"
    GRANT_REVOKED = "grant_revoked"
    GRANT_NOT_YET_VALID = "grant_not_yet_valid"
    MODE_NOT_GRANTED = "mode_not_granted"
    ITEM_NOT_GRANTED = "item_not_granted"
    NOT_FOUND = "not_found"
    RESOURCE_NOT_FOUND = "resource_not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    INVALID = "invalid"
    UNKNOWN_PARAMETER = "unknown_parameter"
    MISSING_KEY = "missing_key"
    BODY_TOO_LARGE = "body_too_large"
    RATE_LIMITED = "rate_limited"
    QUOTA_EXCEEDED = "quota_exceeded"
    UPSTREAM_FAILURE = "upstream_failure"
    UPSTREAM_TIMEOUT = "upstream_timeout"
    DELIVERY_LOG_UNAVAILABLE = "delivery_log_unavailable"
    INTERNAL = "internal_error"


C = GatewayCode

# code → (HTTP status, Chinese message, English message)
MESSAGES: dict[GatewayCode, tuple[int, str, str]] = {
    C.NOT_AUTHENTICATED: (401, "缺少访问令牌。", "An access token is required."),
    C.TOKEN_INVALID: (401, "访问令牌无效。", "The access token is not valid."),
    C.TOKEN_EXPIRED: (401, "访问令牌已过期，请重新获取。", "The access token has expired."),
    C.BAD_CREDENTIALS: (401, "应用凭证错误。", "Wrong app key or secret."),
    C.CREDENTIAL_REVOKED: (401, "应用凭证已吊销。", "The application credential is revoked."),
    C.IP_NOT_ALLOWED: (403, "调用地址不在白名单内。", "Calls from this address are not allowed."),
    C.NO_GRANT: (403, "本应用未获该资源的授权。", "This application has no grant on it."),
    C.GRANT_SUSPENDED: (403, "授权已暂停。", "The grant is suspended."),
    C.GRANT_EXPIRED: (403, "授权已过期。", "The grant has expired."),
    C.GRANT_REVOKED: (403, "授权已撤销。", "The grant is revoked."),
    C.GRANT_NOT_YET_VALID: (403, "授权尚未生效。", "The grant is not valid yet."),
    C.MODE_NOT_GRANTED: (403, "未授权此交付方式。", "This delivery mode is not granted."),
    C.ITEM_NOT_GRANTED: (403, "请求了未授权的信息项。", "An item asked for is not granted."),
    C.NOT_FOUND: (404, "接口不存在。", "No such endpoint."),
    C.RESOURCE_NOT_FOUND: (404, "资源不存在或未挂接。", "No such published, mounted resource."),
    C.METHOD_NOT_ALLOWED: (405, "不支持此请求方法。", "Method not allowed."),
    C.INVALID: (422, "请求参数有误。", "Invalid parameters."),
    C.UNKNOWN_PARAMETER: (422, "存在未知参数。", "Unknown parameters."),
    C.MISSING_KEY: (422, "请至少提供一个查询键。", "Give at least one key item to look up by."),
    C.BODY_TOO_LARGE: (413, "请求体过大。", "The request body is too large."),
    C.RATE_LIMITED: (429, "调用频率超过限制。", "Too many calls per minute."),
    C.QUOTA_EXCEEDED: (429, "已超过每日调用配额。", "The daily quota is used up."),
    C.UPSTREAM_FAILURE: (502, "上游接口调用失败。", "The upstream service failed."),
    C.UPSTREAM_TIMEOUT: (504, "上游接口响应超时。", "The upstream service timed out."),
    C.DELIVERY_LOG_UNAVAILABLE: (
        503,
        "交付日志暂不可写，网关暂停服务。",
        "The delivery log cannot be written; the gateway is not serving.",
    ),
    C.INTERNAL: (500, "网关内部错误。", "Internal gateway error."),
}

# Field-level messages: rule → (Chinese, English); "%s" takes the detail.
FIELD_MESSAGES: dict[str, tuple[str, str]] = {
    "unknown": ("未知参数。", "Unknown parameter."),
    "not_granted": ("该信息项未授权。", "This item is not granted."),
    "unknown_item": ("资源没有该信息项。", "The resource has no such item."),
    "too_long": ("值过长（最多 %s 个字符）。", "Value too long (at most %s characters)."),
    "too_many": ("值过多（最多 %s 个）。", "Too many values (at most %s)."),
    "integer": ("须为 0 到 %s 之间的整数。", "Must be an integer from 0 to %s."),
    "required": ("必填。", "Required."),
    "not_text": ("须为文本。", "Must be text."),
    "bad_body": ("请求体须为 JSON 对象或表单。", "The body must be a JSON object or a form."),
    "not_key": ("不是该资源的查询键。", "Not a key item of this resource."),
    "bad_header": ("请求头无效。", "Invalid header."),
    "format": ("格式不符（%s）。", "Wrong format (%s)."),
    "text": ("%s", "%s"),  # a message written elsewhere (a connector's), already translated
}


class GatewayError(Exception):
    """An answer other than success; ``fields`` maps a parameter to a message rule."""

    def __init__(
        self,
        code: GatewayCode,
        fields: Mapping[str, tuple[str, Any] | str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(code.value)
        self.code = code
        self.status = MESSAGES[code][0]
        self.fields = dict(fields or {})
        self.headers = dict(headers or {})


def wants_english(accept_language: str) -> bool:
    """True when the caller's first language is English (default: Chinese)."""
    first = accept_language.split(",", 1)[0].strip().lower()
    return first.startswith("en")


def error_body(error: GatewayError, english: bool) -> dict[str, Any]:
    index = 2 if english else 1
    fields: dict[str, str] = {}
    for name, rule in error.fields.items():
        key, detail = (rule, None) if isinstance(rule, str) else rule
        text = FIELD_MESSAGES[key][index - 1]
        fields[name] = text % detail if detail is not None else text
    message = str(MESSAGES[error.code][index])
    if fields:
        message = f"{message} {'; '.join(fields)}" if english else f"{message}{'、'.join(fields)}"
    return {"code": error.code.value, "message": message, "fields": fields}
