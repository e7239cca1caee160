"""Masking in the source query (源端脱敏): SQL expressions equal to ``exchange.masking.mask``.

Where a rule can be written in the source's SQL dialect, the masked value is computed by the
source database, so a bulk run never decodes rows in Python just to mask them. A rule that has
no SQL form for a dialect returns None, and the run masks that column in Python instead.
Every SQL form must give exactly what ``mask(kind, value)`` gives (tested value by value).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from govshare.catalog.choices import Masking


def masked_expression(dialect: str, kind: str, column: Any) -> sa.ColumnElement[Any] | None:
    """``column`` masked by ``kind`` in SQL of ``dialect`` ("postgresql", "mysql", "sqlite"),
    or None when that rule has no SQL form there (the caller masks in Python)."""
    if kind == Masking.NONE:
        return column  # type: ignore[no-any-return]
    return None
