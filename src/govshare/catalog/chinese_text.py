"""Chinese text for the catalog's search (中文检索): jieba segmentation, pinyin initials, query
parsing into FTS5 / tsquery expressions, and highlighting of the words found.

Kept apart from search.py (the index and its queries): nothing here touches the database.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import jieba
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pypinyin import Style, lazy_pinyin

jieba.setLogLevel(logging.WARNING)  # its start-up chatter is not our log

# A search token: letters and digits of any script (what FTS5's unicode61 keeps as a token).
TOKEN = re.compile(r"[^\W_]+")


# --- segmentation ---------------------------------------------------------------------------


@lru_cache(maxsize=50_000)  # item names repeat across resources (姓名, 联系电话 …)
def segment(text: str) -> str:
    """Space-separated search tokens of ``text``: jieba's search-mode words (a compound and its
    parts, 营业执照 → 营业 执照 营业执照), lower-cased, punctuation dropped."""
    words = jieba.cut_for_search(text or "")
    return " ".join(token for word in words for token in TOKEN.findall(word.lower()))


def initials(text: str) -> str:
    """The pinyin initials of the Chinese in ``text`` (人口基础信息 → rkjcxx), so a name can be
    found by the letters people type for it; other characters are left out."""
    letters = lazy_pinyin(text or "", style=Style.FIRST_LETTER, errors="ignore")
    return "".join(letter for letter in letters if letter.isascii() and letter.isalpha()).lower()


@dataclass(frozen=True)
class Clause:
    """One word of a query: the word itself, or all of its parts, must occur."""

    token: str
    parts: tuple[str, ...]

    @property
    def is_prefix(self) -> bool:
        # A single character is rarely a word of its own (税 in 税务): match words it starts.
        # Latin letters may be the start of a name's pinyin initials (rkjc → rkjcxx).
        return len(self.token) == 1 or (self.token.isascii() and self.token.isalpha())

    def terms(self) -> tuple[str, ...]:
        return (self.token, *self.parts)


def parse_query(text: str) -> list[Clause]:
    """The clauses of a query, each a precise-mode jieba word with its search-mode parts."""
    clauses: dict[str, Clause] = {}
    for word in jieba.cut(text):
        for token in TOKEN.findall(word.lower()):
            clauses.setdefault(token, Clause(token, _parts(token)))
    return list(clauses.values())


def _parts(token: str) -> tuple[str, ...]:
    """The search-mode words inside ``token`` plus any character none of them covers, so that
    all parts together stand for the whole word (信息库 → 信息, 库; never 信息 alone)."""
    parts = [p for p in dict.fromkeys(segment(token).split()) if p != token]
    if not parts:
        return ()
    covered = [False] * len(token)
    for part in parts:
        start = token.find(part)
        while start >= 0:
            covered[start : start + len(part)] = [True] * len(part)
            start = token.find(part, start + 1)
    return (*parts, *dict.fromkeys(c for c, hit in zip(token, covered, strict=True) if not hit))


def fts5_match(clauses: Sequence[Clause]) -> str:
    """An FTS5 MATCH expression: every clause must match (tokens hold no quote characters)."""

    def one(clause: Clause) -> str:
        word = f'"{clause.token}"' + ("*" if clause.is_prefix else "")
        if not clause.parts:
            return word
        return f"({word} OR ({' AND '.join(_quoted(clause.parts))}))"

    return " AND ".join(one(clause) for clause in clauses)


def pg_tsquery(clauses: Sequence[Clause]) -> str:
    """A to_tsquery('simple', …) expression with the same meaning as ``fts5_match``."""

    def one(clause: Clause) -> str:
        word = clause.token + (":*" if clause.is_prefix else "")
        if not clause.parts:
            return word
        return f"({word} | ({' & '.join(clause.parts)}))"

    return " & ".join(one(clause) for clause in clauses)


def _quoted(tokens: Iterable[str]) -> list[str]:
    return [f'"{token}"' for token in tokens]


# --- highlighting ---------------------------------------------------------------------------


def highlight(text: str, terms: Iterable[str], limit: int | None = None) -> SafeString:
    """``text`` as HTML with each term in <mark>, everything else escaped; cut to ``limit``
    characters around the first match."""
    words = sorted({t for t in terms if t}, key=len, reverse=True)  # longest first: 营业执照
    pattern = re.compile("|".join(map(re.escape, words)), re.IGNORECASE) if words else None
    text, prefix, suffix = _window(text or "", pattern, limit)
    if pattern is None:
        return mark_safe(prefix + escape(text) + suffix)
    out, position = [prefix], 0
    for match in pattern.finditer(text):
        out += [escape(text[position : match.start()]), "<mark>", escape(match.group()), "</mark>"]
        position = match.end()
    out += [escape(text[position:]), suffix]
    return mark_safe("".join(out))  # noqa: S308 (every piece of text above is escaped)


def _window(text: str, pattern: re.Pattern[str] | None, limit: int | None) -> tuple[str, str, str]:
    if limit is None or len(text) <= limit:
        return text, "", ""
    found = pattern.search(text) if pattern else None
    start = max(0, min((found.start() if found else 0) - limit // 4, len(text) - limit))
    end = start + limit
    return text[start:end], "…" if start else "", "…" if end < len(text) else ""
