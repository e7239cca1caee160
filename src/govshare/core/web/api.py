"""Plumbing shared by every router of the REST API: authentication, the error body, pagination.

Every error leaves the API as ``{"code": ..., "message": ..., "fields": {field: [messages]}}``
(CONVENTIONS rule 7). Messages are gettext'd; LocaleMiddleware picks the language from
Accept-Language or the session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache, partial, wraps
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Union, get_args, get_origin

from django.conf import settings
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import ConfigDict, GetJsonSchemaHandler, ValidationInfo, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from govshare.core.errors import (
    CONFLICT_CODES,
    ApiErrorCode,
    ErrorCode,
    error_codes,
    error_payload,
)
from govshare.core.registry import Registry
from govshare.core.text import join_sentences
from govshare.core.web.json_limits import JsonLimitError, loads_limited

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_PAGE_SIZE = 200
# The deepest body an operation takes is a few levels (an object of lists of objects).
JSON_MAX_DEPTH = 32
MAX_OFFSET = 10**9

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    """The one error body of the API."""

    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ApiError(Exception):
    """An error a handler raises on purpose, with its status, code and message."""

    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}


class InputSchema(Schema):
    """Request bodies: an unknown field is an error, not silently dropped (a typo is a bug)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def json_kinds(cls, value: Any, info: ValidationInfo) -> Any:
        # JSON's true/false and numbers are not each other: pydantic's lax mode would take 0 for
        # false and false for 0, which the document forbids (issue #11 item 7).
        kinds = _scalar_kinds(cls.model_fields[str(info.field_name)].annotation)
        if isinstance(value, bool) and kinds == {int}:
            raise PydanticCustomError("int_type", "not a whole number")
        if kinds == {bool} and not isinstance(value, bool | None):
            raise PydanticCustomError("bool_type", "not true or false")
        return value


def _scalar_kinds(annotation: Any) -> set[Any]:
    """{int}, {bool}, or other kinds, of an annotation through Annotated and unions."""
    if get_origin(annotation) is Annotated:
        return _scalar_kinds(get_args(annotation)[0])
    if get_origin(annotation) in (Union, UnionType):
        kinds = [_scalar_kinds(arg) for arg in get_args(annotation) if arg is not type(None)]
        return set().union(*kinds)
    return {annotation} if annotation in (int, bool) else {object}


# --- input types ----------------------------------------------------------------------------


class PatchSchema(InputSchema):
    """A PATCH body: any field may be left out; none may be null except those named in
    ``nullable`` (issue #11 item 7: the document said null and the server refused it).

    Fields are declared ``T | None = None`` so that a left-out field stays unset; the document
    shows them as ``T`` alone, without the null default, unless they are nullable.
    """

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise PydanticCustomError("not_null", "this field may not be null")
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        properties = handler.resolve_ref_schema(json_schema).get("properties", {})
        for name, field_schema in properties.items():
            if name not in cls.nullable:
                _drop_null(field_schema)
        return json_schema


def _drop_null(field_schema: dict[str, Any]) -> None:
    field_schema.pop("default", None)
    options = [o for o in field_schema.pop("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1:
        field_schema.update(options[0])
    elif options:
        field_schema["anyOf"] = options


# --- authentication -------------------------------------------------------------------------

# Who a personal API token belongs to: identity (which owns the tokens) registers its check when
# it is ready; each check answers the user or None.
TokenCheck = Callable[[str], Any | None]
token_checks: Registry[TokenCheck] = Registry("API token checks")


def user_of_token(token: str) -> Any | None:
    """The user a presented token belongs to, by the first registered check that knows it."""
    for check in token_checks:
        user = check(token)
        if user is not None:
            return user
    return None


class TokenAuth(HttpBearer):
    """``Authorization: Bearer gs_<keyid>_<secret>`` (RFC 6750), a personal API token."""

    def __call__(self, request: HttpRequest) -> Any | None:
        if "Authorization" not in request.headers:
            return None
        user = super().__call__(request)
        if user is None:
            # A presented but bad credential is refused outright, never passed on to the session.
            raise AuthenticationError()
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        token = token.strip()
        if not (token.isascii() and token.isprintable()):
            return None  # tokens are ASCII; anything else (a NUL breaks PostgreSQL) is no token
        user = user_of_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's Django session; unsafe methods need the CSRF token (X-CSRFToken header)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # Checked only once a session user is found, so an anonymous call gets 401, not 403.
        if self.csrf and check_csrf(request) is not None:
            raise ApiError(403, ApiErrorCode.CSRF_FAILED, _("CSRF check failed."))
        return user


class JsonParser(Parser):
    """Request bodies parsed within the node's limits (core/web/json_limits.py): a body nested
    deeper than JSON_MAX_DEPTH, or longer than Django's DATA_UPLOAD_MAX_MEMORY_SIZE, is refused
    naming the rule (issue #11, item 3), not taken for malformed JSON."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        data: dict[str, Any] = loads_limited(
            request.body, max_depth=JSON_MAX_DEPTH, max_bytes=limit
        )
        return data


class JsonRenderer(JSONRenderer):
    """UTF-8 JSON: Chinese text as itself, not as \\u escapes (half the bytes)."""

    json_dumps_params = {"ensure_ascii": False}


def default_auth() -> list[Callable[[HttpRequest], Any]]:
    return [TokenAuth(), SessionAuth(csrf=True)]


def auth_user(request: HttpRequest) -> Any:
    """The user the request authenticated as (by token or session)."""
    return request.auth  # type: ignore[attr-defined]


# --- pagination -----------------------------------------------------------------------------


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` with bounds, so no value can overflow the database's OFFSET."""

    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=MAX_PAGE_SIZE)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)


# --- errors ---------------------------------------------------------------------------------

# Messages for pydantic's error types, so input errors read the same in every language and
# never in pydantic's own English (issue #12). A type missing here gets INVALID_VALUE.
_WHOLE_NUMBER = gettext_lazy("Enter a whole number.")
_NUMBER = gettext_lazy("Enter a number.")
_DAY = gettext_lazy("Enter a day as YYYY-MM-DD.")
_MOMENT = gettext_lazy("Enter a date and time (ISO 8601).")
_LIST = gettext_lazy("Enter a list of values.")
_OBJECT = gettext_lazy("Send a JSON object.")
_CHOICE = gettext_lazy("Select one of: %(expected)s.")
INVALID_VALUE = gettext_lazy("Enter a valid value.")
INPUT_MESSAGES: dict[str, Any] = {
    "missing": gettext_lazy("This field is required."),
    "not_null": gettext_lazy("This field may not be null."),
    "none_required": gettext_lazy("This field must be null."),
    "extra_forbidden": gettext_lazy("Unknown field."),
    "string_type": gettext_lazy("Enter text."),
    "string_unicode": gettext_lazy("Enter text."),
    "string_too_short": gettext_lazy("Ensure this value has at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Ensure this value has at most %(max_length)s characters."),
    "string_pattern_mismatch": gettext_lazy("Enter a value in the expected format."),
    "string_not_ascii": gettext_lazy("Enter ASCII characters only."),
    "text_characters": gettext_lazy("The text contains characters that cannot be stored."),
    "blank": gettext_lazy("This field may not be blank."),
    "month_format": gettext_lazy("Enter a month as YYYY-MM, e.g. 2026-10."),
    "date_format": gettext_lazy("Enter a day from 2000 to 2999 as YYYY-MM-DD."),
    "datetime_format": gettext_lazy("Enter a date and time from 2000 to 2999 (ISO 8601)."),
    "amount": gettext_lazy("Enter an amount from 0 with at most two decimals."),
    "uscc_format": gettext_lazy("Enter the 18 characters of a unified social credit code."),
    "email_format": gettext_lazy("Enter a valid email address."),
    "url_format": gettext_lazy("Enter an http(s) or ftp(s) URL the prober may fetch."),
    "identifier_format": gettext_lazy(
        "The identifier is ASCII letters, digits and underscores, starting with a letter."
    ),
    "allowlist_format": gettext_lazy(
        "Enter IP addresses or CIDR blocks, one a line or separated by commas (at most 50)."
    ),
    "int_type": _WHOLE_NUMBER,
    "int_parsing": _WHOLE_NUMBER,
    "int_from_float": _WHOLE_NUMBER,
    "int_parsing_size": gettext_lazy("The number is too large for this field."),
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "finite_number": gettext_lazy("Enter a finite number."),
    "multiple_of": gettext_lazy("Ensure this value is a multiple of %(multiple_of)s."),
    "decimal_max_digits": gettext_lazy("Ensure there are at most %(max_digits)s digits."),
    "decimal_max_places": gettext_lazy(
        "Ensure there are at most %(decimal_places)s decimal places."
    ),
    "decimal_whole_digits": gettext_lazy(
        "Ensure there are at most %(whole_digits)s digits before the decimal point."
    ),
    "bool_type": gettext_lazy("Enter true or false."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "greater_than": gettext_lazy("Ensure this value is greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Ensure this value is at least %(ge)s."),
    "less_than": gettext_lazy("Ensure this value is less than %(lt)s."),
    "less_than_equal": gettext_lazy("Ensure this value is at most %(le)s."),
    "enum": _CHOICE,
    "literal_error": _CHOICE,
    "date_type": _DAY,
    "date_parsing": _DAY,
    "date_from_datetime_parsing": _DAY,
    "date_from_datetime_inexact": _DAY,
    "datetime_type": _MOMENT,
    "datetime_parsing": _MOMENT,
    "datetime_from_date_parsing": _MOMENT,
    "datetime_object_invalid": _MOMENT,
    "list_type": _LIST,
    "tuple_type": _LIST,
    "set_type": _LIST,
    "iterable_type": _LIST,
    "too_short": gettext_lazy("Enter at least %(min_length)s items."),
    "too_long": gettext_lazy("Enter at most %(max_length)s items."),
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "dict_type": _OBJECT,
    "json_invalid": gettext_lazy("The request body is not valid JSON."),
    "json_type": gettext_lazy("The request body is not valid JSON."),
    "uuid_type": gettext_lazy("Enter a valid UUID."),
    "uuid_parsing": gettext_lazy("Enter a valid UUID."),
    "url_type": gettext_lazy("Enter a valid URL."),
    "url_parsing": gettext_lazy("Enter a valid URL."),
}

STATUS_ERRORS: dict[int, tuple[str, Any]] = {
    400: (ApiErrorCode.BAD_REQUEST, gettext_lazy("The request body is not valid JSON.")),
    401: (
        ErrorCode.NOT_AUTHENTICATED,
        gettext_lazy("Authentication is required: sign in or send a valid API token."),
    ),
    403: (ErrorCode.PERMISSION_DENIED, gettext_lazy("You do not have permission to do this.")),
    404: (ErrorCode.NOT_FOUND, gettext_lazy("Not found.")),
    405: (
        ApiErrorCode.METHOD_NOT_ALLOWED,
        gettext_lazy("This method is not allowed on this path."),
    ),
    429: (ApiErrorCode.THROTTLED, gettext_lazy("Too many requests; try again later.")),
}


def input_field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    """``["body", "payload", "contact", 0]`` → ``"contact.0"``; the source and body name go."""
    parts = [str(part) for part in loc[1:]]
    if loc and loc[0] == "body" and parts:
        parts = parts[1:]  # the handler's body parameter name means nothing to the caller
    return ".".join(parts) or "__all__"


def input_message(error: dict[str, Any]) -> str:
    """Our message for one of pydantic's errors, in the active language, with the rule's
    figures (a length, a bound, the values allowed); never pydantic's English text."""
    template = INPUT_MESSAGES.get(error.get("type", ""), INVALID_VALUE)
    context = {key: _context_value(value) for key, value in (error.get("ctx") or {}).items()}
    if template is _CHOICE:
        context["expected"] = choices_text(expected_values(str(context.get("expected", ""))))
    try:
        return str(template) % context
    except (KeyError, TypeError, ValueError):
        return str(template)


def _context_value(value: Any) -> str:
    return str(value).replace("'", "") if isinstance(value, str) else str(value)


def expected_values(expected: str) -> list[str]:
    """The values pydantic lists in an enum or literal error (``'a', 'b' or 'c'`` once its
    quotes are gone: ``a, b or c``; a blank value leaves an empty place)."""
    head, _or, last = expected.rpartition(" or ")
    values = [*head.split(", "), last] if _or else [expected]
    return [value.strip() for value in values]


def choices_text(values: list[str]) -> str:
    """``values`` for a person: each with its label where a choices class holds them all
    ("unconditional（无条件共享）、…" in Chinese), the blank value named as such."""
    labels = choice_labels(frozenset(values))
    shown = []
    for value in values:
        name = value or pgettext("an allowed value", "empty")
        label = str(labels.get(value, ""))
        if not label or label == value:
            shown.append(name)
        elif value and value in label:  # "成功（2xx）" names its value already
            shown.append(label)
        else:
            shown.append(_("%(value)s (%(label)s)") % {"value": name, "label": label})
    return pgettext("between the items of a list", ", ").join(shown)


@cache
def choice_labels(values: frozenset[str]) -> dict[str, Any]:
    """The labels of ``values`` from the choices class (a TextChoices of any package) that
    holds them all and the fewest others; none when no class, or two alike, hold them.

    Pydantic's error names the values allowed, not the class they come from; the set of
    values is what identifies it. Labels stay lazy: they are read in the caller's language."""
    holders = [
        choices
        for choices in _choice_classes(models.Choices)
        if values <= {str(value) for value in choices.values}
    ]
    if not holders:
        return {}
    fewest = min(len(choices.values) for choices in holders)
    tables = [
        {str(value): label for value, label in choices.choices}
        for choices in holders
        if len(choices.values) == fewest
    ]
    if any(_label_ids(table, values) != _label_ids(tables[0], values) for table in tables):
        return {}
    return tables[0]


def _label_ids(table: dict[str, Any], values: frozenset[str]) -> dict[str, str]:
    # The English of each label (its msgid): two classes that label alike are as good as one.
    with translation.override(None):
        return {value: str(table[value]) for value in values}


def _choice_classes(base: type[models.Choices]) -> list[type[models.Choices]]:
    found: list[type[models.Choices]] = []
    for subclass in base.__subclasses__():
        found += [subclass, *_choice_classes(subclass)]
    return found


def input_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        fields.setdefault(input_field_name(error.get("loc", ())), []).append(input_message(error))
    return fields


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: StrOrPromise,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body = {"code": str(code), "message": str(message), "fields": fields or {}}
    response = api.create_response(request, body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="govshare"'  # RFC 6750 §3
    return response


def _status_error(api: NinjaAPI, request: HttpRequest, status: int) -> HttpResponse:
    code, message = STATUS_ERRORS.get(status, (ErrorCode.INVALID, gettext_lazy("Bad request.")))
    return error_response(api, request, status, code, message)


def on_service_error(
    request: HttpRequest, exc: DjangoValidationError, api: NinjaAPI
) -> HttpResponse:
    _first, message, fields = error_payload(exc)
    status, code = service_status(error_codes(exc))
    return error_response(api, request, status, code, message, fields)


def service_status(codes: list[str]) -> tuple[int, str]:
    """The status of a service's refusal, and the code that decided it (issue #11 item 7).

    422: the input itself is wrong — a rule the document states, or one between its fields or
    inside a value (a check digit) that the document says in words; such a request is never
    right. 404: it names an object that does not exist or that the caller may not see, as an
    unknown id in the path does. 409: it clashes with stored state or with today's date, which
    no schema can state: the same request may succeed another time. Any 422 reason wins."""
    invalid = [code for code in codes if code not in {*CONFLICT_CODES, ErrorCode.NOT_FOUND}]
    if invalid or not codes:
        return 422, (invalid or [ErrorCode.INVALID])[0]
    missing = [code for code in codes if code == ErrorCode.NOT_FOUND]
    return (404, missing[0]) if missing else (409, codes[0])


def on_input_error(request: HttpRequest, exc: NinjaValidationError, api: NinjaAPI) -> HttpResponse:
    fields = input_fields(exc.errors)
    message = join_sentences(
        _("%(field)s: %(message)s") % {"field": name, "message": msgs[0]}
        for name, msgs in fields.items()
    )
    return error_response(api, request, 422, ErrorCode.INVALID, message, fields)


def on_api_error(request: HttpRequest, exc: ApiError, api: NinjaAPI) -> HttpResponse:
    return error_response(api, request, exc.status, exc.code, exc.message, exc.fields)


def on_http_error(request: HttpRequest, exc: HttpError, api: NinjaAPI) -> HttpResponse:
    if isinstance(exc.__cause__, JsonLimitError):  # ninja wraps what the parser raised
        return _body_limit_error(api, request, exc.__cause__)
    return _status_error(api, request, exc.status_code)


def _body_limit_error(api: NinjaAPI, request: HttpRequest, error: JsonLimitError) -> HttpResponse:
    if error.rule == "too_large":
        message = _("The request body is too large (at most %(limit)s bytes).")
        status, code = 413, ApiErrorCode.BODY_TOO_LARGE
    else:
        message = _("The request body is nested too deeply (at most %(limit)s levels).")
        status, code = 400, ApiErrorCode.BODY_TOO_DEEP
    return error_response(api, request, status, code, message % {"limit": error.limit})


def on_too_big(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE before any parser reads it.
    limit = JsonLimitError("too_large", settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
    return _body_limit_error(api, request, limit)


def on_bad_request(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    # SuspiciousOperation: a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a malformed header, …
    code, message = ApiErrorCode.BAD_REQUEST, gettext_lazy("The request cannot be processed.")
    return error_response(api, request, 400, code, message)


def on_denied(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    return _status_error(api, request, 403)


def on_not_found(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    return _status_error(api, request, 404)


def on_unexpected(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    """A bug, not bad input: logged with its traceback, answered with the error body."""
    logger.exception("unhandled error in %s %s", request.method, request.path)
    return error_response(
        api, request, 500, "server_error", _("Something went wrong; it has been logged.")
    )


def install_error_handlers(api: NinjaAPI) -> None:
    """Route every expected exception to the one error body."""
    handlers: dict[type[Exception], Callable[..., HttpResponse]] = {
        DjangoValidationError: on_service_error,
        NinjaValidationError: on_input_error,
        ApiError: on_api_error,
        HttpError: on_http_error,  # AuthenticationError (401), body parse (400), throttling
        RequestDataTooBig: on_too_big,
        SuspiciousOperation: on_bad_request,
        PermissionDenied: on_denied,
        Http404: on_not_found,
        ObjectDoesNotExist: on_not_found,
        Exception: on_unexpected,
    }
    for exception, handler in handlers.items():
        api.add_exception_handler(exception, partial(handler, api=api))


class GovshareAPI(NinjaAPI):
    """NinjaAPI whose every answer is the error body: a wrong method on a known path, the bare
    root, and any unknown path under the API (instead of the site's HTML 404 page)."""

    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        not_found = csrf_exempt(partial(not_found_view, api=self))
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                is_root = pattern.name == "api-root"  # ninja's root raises Http404 → HTML page
                pattern.callback = not_found if is_root else _json_method_errors(pattern, self)
        patterns.append(re_path(r"^.+$", not_found))  # last, so it only catches the unknown
        return patterns, app_name, namespace


def _json_method_errors(pattern: URLPattern, api: NinjaAPI) -> Any:
    # ninja answers a method no operation serves with a plain-text 405; keep its Allow header.
    view = pattern.callback

    @wraps(view)  # keeps csrf_exempt: ninja checks CSRF in SessionAuth instead
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or not response.has_header("Allow"):
            return response
        replacement = _status_error(api, request, 405)
        replacement["Allow"] = response["Allow"]
        return replacement

    return wrapped


def not_found_view(request: HttpRequest, *args: Any, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
    """Unknown paths under the API answer with the error body, not the HTML 404 page."""
    return _status_error(api, request, 404)


ERROR_RESPONSES: dict[int, type[Schema]] = {
    code: ErrorOut for code in (400, 401, 403, 404, 409, 422)
}


def responses(success: dict[int, Any]) -> dict[int, Any]:
    """An operation's ``response=`` map: its success schemas plus the error body (for OpenAPI)."""
    return {**ERROR_RESPONSES, **success}
