"""Caller text made storable (可存储文本) before it becomes evidence.

A lone surrogate (``"\\ud800"`` in JSON) cannot be encoded as UTF-8, so it can be neither hashed
into a chain nor stored; PostgreSQL refuses NUL in text. Refused input is still recorded — with
such characters written as backslash escapes, so the record holds what was sent, readably and
unambiguously (a backslash of the input is doubled), and cut to the length of its column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Control characters and lone surrogates: no header may hold them, and the escapes below cover
# them (tab, CR and LF included: in a header they are a forgery, in a record they are noise).
UNSTORABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_TO_ESCAPE = re.compile(r"[\\\x00-\x1f\x7f\ud800-\udfff]")


def is_storable(text: str) -> bool:
    """True when ``text`` holds no control character and no lone surrogate."""
    return UNSTORABLE.search(text) is None


def escaped(text: str, limit: int | None = None) -> str:
    """``text`` with backslashes doubled, control characters as ``\\xNN`` and lone surrogates as
    ``\\uXXXX``; cut to ``limit`` characters. Any database stores it, UTF-8 encodes it."""
    value = _TO_ESCAPE.sub(_escape, text)
    return value if limit is None else value[:limit]


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x5C:
        return "\\\\"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# Full-width punctuation carries its own space: no blank follows it in Chinese text.
_FULL_WIDTH_END = "。！？；：，、）」』】"


def join_sentences(sentences: Iterable[str]) -> str:
    """Messages one after another as running text: in English with a space between them, in
    Chinese with none after the full stop (never "。；" or "。 "); each keeps its own stop."""
    joined = ""
    for sentence in (text.strip() for text in sentences):
        if not sentence:
            continue
        gap = "" if not joined or joined[-1] in _FULL_WIDTH_END else " "
        joined += gap + sentence
    return joined
