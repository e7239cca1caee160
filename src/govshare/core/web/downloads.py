"""File downloads: an attachment named in the user's language; files served resumably.

Every download's name goes through gettext, so the Chinese UI downloads 普查填报表.xlsx, not
"Census workbook.xlsx" (issue 12 item 7). The header follows RFC 6266: ``filename*`` carries the
name in UTF-8, percent-encoded as RFC 5987 says, and ``filename`` an ASCII fallback for the
clients that read only that one — the English name, its other characters replaced.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
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


# --- resumable downloads (RFC 9110 §14) -----------------------------------------------------

RANGE_CHUNK = 256 * 1024
BYTE_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass(frozen=True)
class ByteRange:
    """A satisfiable single range: ``start`` to ``end``, both included (RFC 9110 §14.1.2)."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class RangeNotSatisfiable(Exception):
    """A valid range that starts past the end of the representation (416)."""


def requested_range(header: str | None, size: int) -> ByteRange | None:
    """The range ``header`` asks for, or None to send the whole file: no header, another unit,
    a malformed value or several ranges (a server may ignore those, RFC 9110 §14.2).
    ``RangeNotSatisfiable`` when the one range lies wholly past the end (or the file is empty)."""
    match = BYTE_RANGE.match((header or "").strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # a suffix: the last N bytes
        if int(last) == 0 or size == 0:
            raise RangeNotSatisfiable
        return ByteRange(max(size - int(last), 0), size - 1)
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None  # invalid: ignored, the whole file is sent
    if start >= size:
        raise RangeNotSatisfiable
    return ByteRange(start, end)


def ranged_file_response(
    request: HttpRequest, path: Path, *, etag: str, content_type: str, download_name: str
) -> HttpResponseBase:
    """Serve ``path`` whole (200) or the one byte range asked for (206), resumable: ``Accept-
    Ranges: bytes``, a strong ``ETag``; a Range under an ``If-Range`` that names another ETag
    (or a date: the file's time is not promised) gets the whole file again (RFC 9110 §13.1.5);
    a range past the end gets 416 with ``Content-Range: bytes */size``. The body is read from
    the file in chunks while it is sent."""
    size = path.stat().st_size
    quoted = f'"{etag}"'
    wanted: ByteRange | None = None
    if_range = request.headers.get("If-Range")
    if if_range is None or if_range.strip() == quoted:
        try:
            wanted = requested_range(request.headers.get("Range"), size)
        except RangeNotSatisfiable:
            return _not_satisfiable(size)
    start, length = (wanted.start, wanted.length) if wanted else (0, size)
    body = () if request.method == "HEAD" else _file_chunks(path, start, length)
    response = StreamingHttpResponse(body, content_type=content_type, status=206 if wanted else 200)
    if wanted:
        response["Content-Range"] = f"bytes {wanted.start}-{wanted.end}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = quoted
    extension = download_name.rpartition(".")[2]
    fallback = ascii_name(download_name, extension)
    encoded = quote(download_name, safe="")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    )
    return response


def _not_satisfiable(size: int) -> HttpResponse:
    response = HttpResponse(status=416)
    response["Content-Range"] = f"bytes */{size}"
    response["Accept-Ranges"] = "bytes"
    return response


def _file_chunks(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(start)
        left = length
        while left > 0:
            chunk = handle.read(min(RANGE_CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk
