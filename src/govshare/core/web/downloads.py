"""File downloads: an attachment named in the user's language.

Every download's name goes through gettext, so the Chinese UI downloads 普查填报表.xlsx, not
"Census workbook.xlsx" (issue 12 item 7). The header follows RFC 6266: ``filename*`` carries the
name in UTF-8, percent-encoded as RFC 5987 says, and ``filename`` an ASCII fallback for the
clients that read only that one — the English name, its other characters replaced.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import translation
from django.utils.functional import Promise

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
# What may stand in a quoted ASCII file name: no quote, backslash or control character (RFC
# 6266 §4.1 quoted-string), and nothing a file system refuses.
_NOT_SAFE = re.compile(r"[^A-Za-z0-9 ._()+,-]+")
KEPT_SECONDS = 24 * 3600  # a file kept for its owner to download (an error workbook)
TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")


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


# --- files kept for their owner -------------------------------------------------------------


def keep(owner_id: int, content: bytes, kind: str) -> str:
    """Keep ``content`` for its owner to download for ``KEPT_SECONDS`` (the error workbook of
    an import made on a page, which has nowhere else to live); returns the token naming it."""
    folder = _kept_dir(kind)
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - KEPT_SECONDS
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(16)
    (folder / f"{owner_id}-{token}").write_bytes(content)
    return token


def kept(owner_id: int, token: str, kind: str) -> bytes | None:
    """The file ``token`` names if it is ``owner_id``'s and still kept, else None."""
    path = _kept_dir(kind) / f"{owner_id}-{token}"
    if not TOKEN.fullmatch(token) or not path.is_file():
        return None
    if path.stat().st_mtime < time.time() - KEPT_SECONDS:
        return None
    return path.read_bytes()


def _kept_dir(kind: str) -> Path:
    return Path(settings.VAR_DIR) / "downloads" / kind
