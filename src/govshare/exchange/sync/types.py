"""Destination column types (目标表字段类型) from the catalog's data types (信息项数据类型).

The platform creates the destination table, so each column's type follows the data item, not
the provider's table: a consumer sees the same table whichever database the provider runs.
A masked item is text (the masked value of a date or a number is a string such as ``***``).
Each type has a family, which is what "altered by hand" is judged by: reflection gives back
VARCHAR for String(n) and DOUBLE for Float on one engine and another, but never a family change.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from govshare.catalog.choices import DataType, Masking
from govshare.exchange.sync.spec import Column

# MySQL needs a length for VARCHAR and cannot index TEXT: a key item without one gets this.
DEFAULT_KEY_LENGTH = 255
# MySQL's DECIMAL without precision is DECIMAL(10,0) (it drops the fraction): give it room.
MYSQL_NUMERIC = (38, 10)

TEXT, INTEGER, NUMERIC, FLOAT, DATE, DATETIME, BOOLEAN = (
    "text",
    "integer",
    "numeric",
    "float",
    "date",
    "datetime",
    "boolean",
)

FAMILY_OF_DATA_TYPE: dict[str, str] = {
    DataType.C: TEXT,
    DataType.M: TEXT,
    DataType.G: TEXT,
    DataType.N: NUMERIC,
    DataType.Y: NUMERIC,
    DataType.D: DATE,
    DataType.T: DATETIME,
    DataType.L: BOOLEAN,
    DataType.B: FLOAT,
    DataType.F: FLOAT,
    DataType.I: INTEGER,
}


def family_of(column: Column) -> str:
    """What kind of value the destination column holds."""
    if column.masking != Masking.NONE:
        return TEXT
    return FAMILY_OF_DATA_TYPE.get(column.data_type, TEXT)


def column_type(column: Column, dialect: str) -> sa.types.TypeEngine[Any]:
    """The SQLAlchemy type of the destination column on ``dialect``."""
    family = family_of(column)
    if family == TEXT:
        if column.is_key or (column.length and column.data_type == DataType.C):
            return sa.String(column.length or DEFAULT_KEY_LENGTH)
        return sa.Text()
    if family == NUMERIC:
        return sa.Numeric(*MYSQL_NUMERIC) if dialect == "mysql" else sa.Numeric()
    simple: dict[str, sa.types.TypeEngine[Any]] = {
        INTEGER: sa.BigInteger(),
        FLOAT: sa.Float(53),
        DATE: sa.Date(),
        DATETIME: sa.DateTime(),
        BOOLEAN: sa.Boolean(),
    }
    return simple[family]


def reflected_family(kind: sa.types.TypeEngine[Any]) -> str:
    """The family of a reflected column type (as the destination database reports it)."""
    checks: list[tuple[type, str]] = [
        (sa.Boolean, BOOLEAN),
        (sa.Integer, INTEGER),
        (sa.Float, FLOAT),
        (sa.Numeric, NUMERIC),
        (sa.DateTime, DATETIME),
        (sa.Date, DATE),
        (sa.String, TEXT),
    ]
    for base, family in checks:
        if isinstance(kind, base):
            # MySQL reports BOOLEAN as TINYINT(1); a Float(53) may come back as DOUBLE (a Float).
            if family == INTEGER and getattr(kind, "display_width", None) == 1:
                return BOOLEAN
            if family == NUMERIC and getattr(kind, "asdecimal", True) is False:
                return FLOAT
            return family
    return type(kind).__name__.lower()
