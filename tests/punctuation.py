"""Mixed punctuation in Chinese text (issue #12: "）. 可访问", "。 · 阈值", "。；", "个数字."):
a Chinese sentence ends with a full-width stop, nothing but the next sentence follows one, and
no ASCII mark stands where Chinese puts a full-width one."""

from __future__ import annotations

import re

_CJK = "\u4e00-\u9fff"
_FULL_WIDTH = "。！？；：，、"
RULES = [
    (re.compile(f"[{_CJK}）」』”》]\\.(?=\\s|$)"), "an ASCII full stop ends a Chinese sentence"),
    (re.compile(f"[{_CJK}][,;:!?](?=\\s|$|[{_CJK}])"), "an ASCII mark after Chinese"),
    (re.compile(f"[{_FULL_WIDTH}][ \\t]*[{_FULL_WIDTH}]"), "two full-width marks in a row"),
    (re.compile(f"[{_FULL_WIDTH}][ \\t]+(?=\\S)"), "a space after a full-width mark"),
    (re.compile(f"(?<![0-9])\\.[ \\t]+(?=[{_CJK}])"), "an ASCII full stop before Chinese"),
]


def mixed_punctuation(text: str) -> list[str]:
    """What is wrong with ``text``'s punctuation, each with the place it occurs."""
    return [
        f"{why}: …{text[max(0, found.start() - 12) : found.end() + 12]}…"
        for rule, why in RULES
        for found in rule.finditer(text)
    ]


_BLOCK = r"</?(p|div|td|th|tr|li|ul|ol|dl|dt|dd|h[1-6]|table|thead|tbody|form|nav|br|hr)\b[^>]*>"


def as_read(html: str) -> str:
    """The text of a page as a reader sees it: a line per block (a paragraph, a cell), inline
    tags gone, white space inside a line collapsed to one space as the browser shows it."""
    boundary = "\ue000"  # no white space (\s would take \x1e)
    text = re.sub(r"<(script|style)\b.*?</\1>", boundary, html, flags=re.S)
    text = re.sub(_BLOCK, boundary, text)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text))
    return re.sub(f"[ {boundary}]*{boundary}[ {boundary}]*", "\n", text)
