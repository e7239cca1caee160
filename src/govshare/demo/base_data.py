"""The demo city's provider database: base-like tables behind the catalog's base resources.

A SQLite file in the node's data-source directory holds 人口基础信息 (population, 100,000 rows)
and 法人单位基础信息 (legal entities, 20,000 rows); the other mounted resources get front-end
tables of their own. Columns are the data items of the resource in force (the column is the
item's identifier in lower case), so the demo mounts map one to one. A person's or an entity's
items agree with each other (sex and birth date with the identity number); every other item
gets a plausible value of its kind (values.py). Every value comes from a seeded random source,
so a rebuild gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from govshare.demo.values import COUNTIES, Column, Values, credit_code, id_number

# Births from 1995: every county code below existed by then (python-stdnum checks the code
# against the birth date), over 11,000 days.
BIRTH_START = dt.date(1995, 1, 1)
BIRTH_SPAN = 11_000


class Rows:
    """The items of a person or an entity, consistent with each other."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.values = Values(self.random)

    def person(self, index: int) -> dict[str, object]:
        pick = self.random
        region, county = COUNTIES[index % len(COUNTIES)]
        # A distinct birth day per person within a county (7919 is prime to the span), so
        # identity numbers never repeat for the first 12 × 11,000 people.
        born = BIRTH_START + dt.timedelta(days=(index // len(COUNTIES)) * 7919 % BIRTH_SPAN)
        sequence = pick.randrange(1000)
        number = id_number(region, born, sequence)
        address = self.values.address(county)
        return {
            "GMSFHM": number,
            "XM": self.values.person_name(),
            "XBDM": "1" if sequence % 2 else "2",  # GB 11643: odd sequence digit is male
            "MZDM": "01" if pick.random() < 0.97 else "03",
            "CSRQ": born.isoformat(),
            "CSD": f"山东省潍坊市{county}",
            "JG": "山东潍坊",
            "HJDZ": address,
            "DZ": address,
            "HJQHDM": region,
            "HH": f"{region}{index:08d}",
            "YHZGX": pick.choice(("02", "10", "20", "30")),
            "HJZT": "0",
            "WHCD": pick.choice(("20", "30", "60", "70", "80")),
            "HYZK": pick.choice(("10", "20", "21")),
            "LXDH": self.values.mobile(),
            "QRRQ": (born + dt.timedelta(days=pick.randrange(0, 9000))).isoformat(),
        }

    def entity(self, index: int) -> dict[str, object]:
        pick = self.random
        region, county = COUNTIES[index % len(COUNTIES)]
        founded = dt.date(1995, 1, 1) + dt.timedelta(days=pick.randrange(0, 365 * 30))
        return {
            "TYSHXYDM": credit_code(region, index),
            "JGMC": self.values.entity_name(index, county),
            "ZTLX": pick.choice(("1100", "1200", "4100", "9100")),
            "FDDBR": self.values.person_name(),
            "FDDBRZJLX": "01",  # 居民身份证
            "FDDBRZJHM": self.person(index + 500_000)["GMSFHM"],
            "CLRQ": founded.isoformat(),
            "ZCZB": f"{pick.randrange(10, 5_000) * 10_000}.00",
            "ZCZBBZ": "156",
            "ZS": self.values.address(county),
            "DJJG": f"潍坊市{county}市场监督管理局",
            "HZRQ": (founded + dt.timedelta(days=pick.randrange(0, 3000))).isoformat(),
            "YYQXZ": founded.isoformat(),
            "DJZT": "1" if pick.random() < 0.92 else "2",
            "SSXZQH": region,
            "QYLXDH": self.values.mobile(),
        }


def build(
    path: Path,
    table: str,
    items: Sequence[tuple],
    key: str,
    count: int,
    make: Callable[[int], dict[str, object]],
    seed: int,
) -> int:
    """(Re)create ``table`` with one column per item and ``count`` rows.

    ``items`` are Columns, or (identifier, data type) pairs."""
    columns = [Column(*item) for item in items]
    values = Values(random.Random(seed + 1))
    names = [column.identifier.lower() for column in columns]
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.execute(f'DROP TABLE IF EXISTS "{table}"')
            connection.execute(f'CREATE TABLE "{table}" ({", ".join(f"{c} TEXT" for c in names)})')
            connection.execute(
                f'CREATE UNIQUE INDEX "{table}_{key.lower()}" ON "{table}" ({key.lower()})'
            )
            insert = (
                f'INSERT INTO "{table}" ({", ".join(names)}) '
                f"VALUES ({', '.join('?' for _ in names)})"
            )
            connection.executemany(insert, _rows(columns, count, make, values))
    finally:
        connection.close()
    return count


def _rows(
    columns: Sequence[Column],
    count: int,
    make: Callable[[int], dict[str, object]],
    values: Values,
) -> Iterator[tuple[object, ...]]:
    for index in range(count):
        known = make(index)
        yield tuple(
            known[column.identifier] if column.identifier in known else values.of(column, index)
            for column in columns
        )
