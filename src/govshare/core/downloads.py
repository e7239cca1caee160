"""File downloads: an attachment named in the user's language.

Every download's name goes through gettext, so the Chinese UI downloads 普查填报表.xlsx, not
"Census workbook.xlsx" (issue 12 item 7). The header follows RFC 6266: ``filename*`` carries the
name in UTF-8, percent-encoded as RFC 5987 says, and ``filename`` an ASCII fallback for the
clients that read only that one — the English name, its other characters replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import translation
from django.utils.functional import Promise

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
# What may stand in a quoted ASCII file name: no quote, backslash or control character (RFC
# 6266 §4.1 quoted-string), and nothing a file system refuses.
_NOT_SAFE = re.compile(r"[^A-Za-z0-9 ._()+,-]+")


def file_name(name: str | Promise, *, suffix: str = "", extension: str) -> str:
    """``name`` in the active language, then ``suffix`` (a date, a month) and the extension."""
    return f"{name}{suffix}.{extension}"


def content_disposition(name: str | Promise, *, suffix: str = "", extension: str) -> str:
    """An attachment's header: the name in the active language, and an ASCII fallback."""
    local = file_name(name, suffix=suffix, extension=extension)
    with translation.override("en"):
        english = file_name(name, suffix=suffix, extension=extension)
    fallback, encoded = ascii_name(english, extension), quote(local, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def ascii_name(text: str, extension: str) -> str:
    """``text`` with every run of other characters as one "_"; "download" if nothing is left."""
    stem = _NOT_SAFE.sub("_", text.removesuffix(f".{extension}")).strip(" _.")
    return f"{stem or 'download'}.{extension}"


def attachment(
    content: bytes,
    content_type: str,
    name: str | Promise,
    *,
    suffix: str = "",
    extension: str,
) -> HttpResponse:
    """A download of ``content``: ``name`` (a lazy gettext string, so its English form gives the
    fallback) with ``suffix`` and ``extension``."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name, suffix=suffix, extension=extension)
    return response


def streamed_attachment(
    chunks: Iterable[bytes | str],
    content_type: str,
    name: str | Promise,
    *,
    suffix: str = "",
    extension: str,
) -> StreamingHttpResponse:
    """As ``attachment``, for a body written while it is sent."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name, suffix=suffix, extension=extension)
    return response
