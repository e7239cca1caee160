"""The demo city's provider database: base-like tables behind the catalog's base resources.

A SQLite file in the node's data-source directory holds 人口基础信息 (population, 100,000 rows)
and 法人单位基础信息 (legal entities, 20,000 rows). Columns are the data items of the resource
in force (the column is the item's identifier in lower case), so the demo mounts map one to one.
Identity numbers carry valid GB 11643 check digits, credit codes valid GB 32100 ones; every value
is generated from a seeded random source, so a rebuild gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from stdnum.cn import ric

from govshare.orgs.validators import org_code_check_digit, uscc_with_check

# 潍坊市 county-level codes (GB/T 2260) that household registrations and entities fall in.
COUNTIES = (
    ("370702", "潍城区"),
    ("370703", "寒亭区"),
    ("370704", "坊子区"),
    ("370705", "奎文区"),
    ("370724", "临朐县"),
    ("370725", "昌乐县"),
    ("370781", "青州市"),
    ("370782", "诸城市"),
    ("370783", "寿光市"),
    ("370784", "安丘市"),
    ("370785", "高密市"),
    ("370786", "昌邑市"),
)
# Births from 1995: every county code below existed by then (python-stdnum checks the code
# against the birth date), over 11,000 days.
BIRTH_START = dt.date(1995, 1, 1)
BIRTH_SPAN = 11_000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅志强海燕玉兰文博子涵浩然欣怡"
STREETS = ("东风街", "胜利街", "健康街", "北宫街", "福寿街", "鸢飞路", "四平路", "新华路", "文化路")
TRADES = ("科技", "农业", "食品", "机械", "物流", "化工", "纺织", "建材", "医药", "商贸")
FORMS = ("有限公司", "股份有限公司", "农民专业合作社", "有限责任公司")


class Rows:
    """Value generators by item identifier; unknown items get a value fitting their type."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def person(self, index: int) -> dict[str, object]:
        pick = self.random
        region, county = COUNTIES[index % len(COUNTIES)]
        # A distinct birth day per person within a county (7919 is prime to the span), so
        # identity numbers never repeat for the first 12 × 11,000 people.
        born = BIRTH_START + dt.timedelta(days=(index // len(COUNTIES)) * 7919 % BIRTH_SPAN)
        sequence = f"{pick.randrange(1000):03d}"
        body = f"{region}{born:%Y%m%d}{sequence}"
        id_number = body + ric.calc_check_digit(body + "0")  # stdnum wants a placeholder digit
        sex = "1" if int(sequence[-1]) % 2 else "2"  # GB 11643: odd sequence digit is male
        address = f"山东省潍坊市{county}{pick.choice(STREETS)}{pick.randrange(1, 400)}号"
        return {
            "GMSFHM": id_number,
            "XM": self.name(),
            "XBDM": sex,
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
            "LXDH": self.mobile(),
        }

    def entity(self, index: int) -> dict[str, object]:
        pick = self.random
        region, county = COUNTIES[index % len(COUNTIES)]
        org_body = f"M{index:07d}"[-8:].replace("M", "7")
        uscc = uscc_with_check(f"91{region}{org_body}{org_code_check_digit(org_body)}")
        founded = dt.date(1995, 1, 1) + dt.timedelta(days=pick.randrange(0, 365 * 30))
        name = f"潍坊{county[:2]}{pick.choice(TRADES)}{index:05d}{pick.choice(FORMS)}"
        return {
            "TYSHXYDM": uscc,
            "JGMC": name,
            "ZTLX": pick.choice(("1100", "1200", "4100", "9100")),
            "FDDBR": self.name(),
            "FDDBRZJLX": "111",
            "FDDBRZJHM": self.person(index + 500_000)["GMSFHM"],
            "CLRQ": founded.isoformat(),
            "ZCZB": f"{pick.randrange(10, 50_000) * 10_000}.00",
            "ZCZBBZ": "156",
            "ZS": f"山东省潍坊市{county}{pick.choice(STREETS)}{pick.randrange(1, 900)}号",
            "DJJG": f"潍坊市{county}市场监督管理局",
            "DJZT": "1" if pick.random() < 0.92 else "2",
            "SSXZQH": region,
            "QYLXDH": self.mobile(),
        }

    def name(self) -> str:
        return self.random.choice(SURNAMES) + "".join(
            self.random.choice(GIVEN) for _ in range(self.random.choice((1, 2)))
        )

    def mobile(self) -> str:
        return f"1{self.random.choice('3578')}{self.random.randrange(10**9):09d}"


TYPE_FILLERS: dict[str, Callable[[random.Random], object]] = {
    "D": lambda r: (dt.date(2000, 1, 1) + dt.timedelta(days=r.randrange(9000))).isoformat(),
    "T": lambda r: f"2026-{r.randrange(1, 11):02d}-{r.randrange(1, 28):02d}T08:00:00",
    "N": lambda r: r.randrange(1000),
    "I": lambda r: r.randrange(1000),
    "Y": lambda r: f"{r.randrange(10**6)}.00",
    "L": lambda r: r.random() < 0.5,
}


def build(
    path: Path,
    table: str,
    items: Sequence[tuple[str, str]],
    key: str,
    count: int,
    make: Callable[[int], dict[str, object]],
    seed: int,
) -> int:
    """(Re)create ``table`` with one column per (identifier, data type) and ``count`` rows."""
    filler_random = random.Random(seed + 1)
    columns = [identifier.lower() for identifier, _type in items]
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.execute(f'DROP TABLE IF EXISTS "{table}"')
            connection.execute(
                f'CREATE TABLE "{table}" ({", ".join(f"{c} TEXT" for c in columns)})'
            )
            connection.execute(
                f'CREATE UNIQUE INDEX "{table}_{key.lower()}" ON "{table}" ({key.lower()})'
            )
            insert = (
                f'INSERT INTO "{table}" ({", ".join(columns)}) '
                f"VALUES ({', '.join('?' for _ in columns)})"
            )
            connection.executemany(insert, _rows(items, count, make, filler_random))
    finally:
        connection.close()
    return count


def _rows(
    items: Sequence[tuple[str, str]],
    count: int,
    make: Callable[[int], dict[str, object]],
    filler: random.Random,
) -> Iterator[tuple[object, ...]]:
    for index in range(count):
        known = make(index)
        yield tuple(
            known.get(identifier, _filler(data_type, filler)) for identifier, data_type in items
        )


def _filler(data_type: str, pick: random.Random) -> object:
    fill = TYPE_FILLERS.get(data_type)
    return fill(pick) if fill else None
