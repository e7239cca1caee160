"""Plausible values for the demo's provider tables: one for any data item of the catalog.

The rules and vocabularies are data (``data/values.yaml``): the first rule matching an item's
identifier or name, within its data type, says what kind of value to make; an item no rule
names gets a value of its type. Identity numbers carry valid GB 11643 check digits, credit
codes valid GB 32100 ones, and every value fits its item's length.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from stdnum.cn import ric

from govshare.demo.datafiles import load
from govshare.orgs.validators import org_code_check_digit, uscc_with_check

VOCABULARY = load("values")
COUNTIES: list[tuple[str, str]] = [(str(code), name) for code, name in VOCABULARY["counties"]]
OPTIONAL = frozenset(VOCABULARY["optional"])
BINARY_TYPES = frozenset({"G", "B"})
ANY_TYPE_KINDS = frozenset({"choices", "integer", "number", "amount"})
VIN_CHARACTERS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # ISO 3779: no I, O, Q


class Column(NamedTuple):
    """A data item as a provider table holds it: its column is the identifier in lower case."""

    identifier: str
    data_type: str
    name: str = ""
    length: int | None = None


@dataclass(frozen=True)
class Rule:
    kind: str
    identifiers: frozenset[str]
    name: re.Pattern[str] | None
    types: str
    length: int | None
    max_length: int | None
    options: dict[str, Any]

    def matches(self, column: Column) -> bool:
        if self.types and column.data_type not in self.types:
            return False
        if self.length is not None and column.length != self.length:
            return False
        if self.max_length is not None and (column.length or 0) > self.max_length:
            return False
        if column.identifier in self.identifiers:
            return True
        return bool(self.name and column.name and self.name.search(column.name))


def _rule(entry: dict[str, Any]) -> Rule:
    fixed = {"kind", "identifiers", "name", "types", "length", "max_length"}
    return Rule(
        kind=entry["kind"],
        identifiers=frozenset(entry.get("identifiers", ())),
        name=re.compile(entry["name"]) if "name" in entry else None,
        # a rule for text applies to text items (C, M) unless it names its types
        types=entry.get("types", "" if entry["kind"] in ANY_TYPE_KINDS else "CM"),
        length=entry.get("length"),
        max_length=entry.get("max_length"),
        options={k: v for k, v in entry.items() if k not in fixed},
    )


RULES = [_rule(entry) for entry in VOCABULARY["rules"]]


@cache  # one look-up per column, not per row
def rule_for(column: Column) -> Rule | None:
    return next((rule for rule in RULES if rule.matches(column)), None)


def id_number(region: str, born: dt.date, sequence: int) -> str:
    """A GB 11643 citizen identity number; an odd sequence number is a man's."""
    body = f"{region}{born:%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum wants a placeholder digit


def credit_code(region: str, index: int, kind: str = "91") -> str:
    """A GB 32100 unified social credit code (企业 91 by default) for the index-th entity."""
    org_body = f"M{index:07d}"[-8:].replace("M", "7")
    return uscc_with_check(f"{kind}{region}{org_body}{org_code_check_digit(org_body)}")


@cache
def county_code_since(region: str) -> int:
    """The first year a person born there carries the county's code: python-stdnum knows the
    GB/T 2260 history and refuses a number whose code did not exist at the birth date."""
    return next(
        (
            year
            for year in range(1950, 2000)
            if ric.is_valid(id_number(region, dt.date(year, 12, 31), 1))
        ),
        2000,
    )


class Values:
    """Values for one table, from one seeded random source (a rebuild gives the same rows)."""

    def __init__(self, rng: random.Random) -> None:
        self.random = rng
        self.today = dt.date.today()

    def of(self, column: Column, index: int) -> object:
        """A value for ``column`` in row ``index``; None only for binary and optional items."""
        if column.data_type in BINARY_TYPES:
            return None
        if column.identifier in OPTIONAL and self.random.random() < 0.85:
            return None
        rule = rule_for(column)
        value = self._by_rule(rule, column, index) if rule else self._by_type(column, index)
        if isinstance(value, str) and column.length and column.data_type == "C":
            value = value[: column.length]
        return value

    def key(self, column: Column, index: int) -> object:
        """A value of the column's kind that no other row of the table has: the row's key."""
        rule = rule_for(column)
        if rule is not None and rule.kind == "yearmonth":
            year, month = divmod(self.today.year * 12 + self.today.month - 2 - index, 12)
            return f"{year}{month + 1:02d}"  # one month per row, from last month back
        if rule is not None and rule.kind == "id_number":  # one birth day per row
            region = COUNTIES[index % len(COUNTIES)][0]
            return id_number(region, dt.date(1996, 1, 1) + dt.timedelta(days=37 * index), 1)
        if rule is not None and rule.kind in ("document", "uscc"):
            return self._by_rule(rule, column, index)  # these carry the row's index
        return self.serial(column, index)

    # --- by rule ----------------------------------------------------------------------------

    def _by_rule(self, rule: Rule, column: Column, index: int) -> object:
        make: Callable[[Rule, Column, int], object] = getattr(self, f"_{rule.kind}")
        return make(rule, column, index)

    def _choices(self, rule: Rule, column: Column, index: int) -> object:
        return self.random.choice(rule.options["values"])

    def _integer(self, rule: Rule, column: Column, index: int) -> int:
        low, high = rule.options["range"]
        return self.random.randint(low, high)

    def _number(self, rule: Rule, column: Column, index: int) -> float:
        low, high = rule.options["range"]
        return round(self.random.uniform(low, high), rule.options.get("decimals", 2))

    def _amount(self, rule: Rule, column: Column, index: int) -> str:
        low, high = rule.options["range"]
        step = rule.options.get("step")
        if step:
            return f"{self.random.randrange(low, high + 1, step) or step}.00"
        return f"{self.random.uniform(low, high):.{rule.options.get('decimals', 2)}f}"

    def _person(self, rule: Rule, column: Column, index: int) -> str:
        return self.person_name()

    def _id_number(self, rule: Rule, column: Column, index: int) -> str:
        """An adult's number, born 1955-2005 but not before the county's code existed."""
        region, _county = self.random.choice(COUNTIES)
        start = dt.date(max(1955, county_code_since(region) + 1), 1, 1)
        born = start + dt.timedelta(
            days=self.random.randrange((dt.date(2005, 12, 31) - start).days)
        )
        return id_number(region, born, self.random.randrange(1000))

    def _uscc(self, rule: Rule, column: Column, index: int) -> str:
        region, _county = self.random.choice(COUNTIES)
        return credit_code(region, index * 97 + self.random.randrange(97))

    def _phone(self, rule: Rule, column: Column, index: int) -> str:
        return self.mobile()

    def _county_code(self, rule: Rule, column: Column, index: int) -> str:
        return self.random.choice(COUNTIES)[0]

    def _county_name(self, rule: Rule, column: Column, index: int) -> str:
        return self.random.choice(COUNTIES)[1]

    def _town(self, rule: Rule, column: Column, index: int) -> str:
        return self.random.choice(VOCABULARY["towns"])

    def _community(self, rule: Rule, column: Column, index: int) -> str:
        return self.random.choice(VOCABULARY["communities"])

    def _address(self, rule: Rule, column: Column, index: int) -> str:
        return self.address()

    def _org(self, rule: Rule, column: Column, index: int) -> str:
        return self.entity_name(index)

    def _authority(self, rule: Rule, column: Column, index: int) -> str:
        return f"潍坊市{self.random.choice(VOCABULARY['bureaus'])}"

    def _plate(self, rule: Rule, column: Column, index: int) -> str:
        tail = "".join(self.random.choice(VIN_CHARACTERS[-10:]) for _ in range(4))
        return f"鲁G{self.random.choice('ABCDEFGH')}{tail}"

    def _url(self, rule: Rule, column: Column, index: int) -> str:
        # the provider's internal image store (a private address, as on the e-government network)
        return f"http://10.37.7.30/kk/{self.today:%Y%m}/{index:08d}.jpg"

    def _vin(self, rule: Rule, column: Column, index: int) -> str:
        return "L" + "".join(self.random.choice(VIN_CHARACTERS) for _ in range(16))

    def _year(self, rule: Rule, column: Column, index: int) -> str:
        if "年级" in column.name:
            return f"{self.random.randint(1, 9):02d}"
        return str(self.today.year - self.random.randint(0, 4))

    def _yearmonth(self, rule: Rule, column: Column, index: int) -> str:
        day = self.today - dt.timedelta(days=self.random.randrange(30, 720))
        return f"{day:%Y%m}"

    def _document(self, rule: Rule, column: Column, index: int) -> str:
        year = self.today.year - self.random.randint(0, 3)
        return f"潍{self.random.choice('市监公城自住人交农税')}字〔{year}〕{index + 1}号"

    def _serial(self, rule: Rule, column: Column, index: int) -> str:
        return self.serial(column, index)

    def serial(self, column: Column, index: int) -> str:
        """Letters of the identifier, a year and the row's number: unique in its table."""
        prefix = re.sub(r"[^A-Z]", "", column.identifier)[:4]
        serial = f"{prefix}{self.today.year - self.random.randint(0, 3)}{index:06d}"
        return serial[-(column.length or 20) :]

    def _code(self, rule: Rule, column: Column, index: int) -> str:
        return f"{self.random.randint(1, 4):0{min(column.length or 2, 2)}d}"

    def _text(self, rule: Rule, column: Column, index: int) -> str:
        return self.random.choice(VOCABULARY["texts"])

    def _label(self, rule: Rule, column: Column, index: int) -> str:
        stem = column.name.removesuffix("名称") or column.name
        return f"{self.random.choice(COUNTIES)[1]}{stem}{index % 50 + 1:02d}"

    # --- by type ----------------------------------------------------------------------------

    def _by_type(self, column: Column, index: int) -> object:
        kind = column.data_type
        if kind == "D":
            return self.date(column).isoformat()
        if kind == "T":
            moment = dt.datetime.combine(self.today, dt.time(8)) - dt.timedelta(
                minutes=self.random.randrange(60 * 24 * 30)
            )
            return moment.isoformat(timespec="seconds")
        if kind in ("N", "I"):
            return self.random.randint(1, 200)
        if kind == "Y":
            return f"{self.random.randrange(1000, 100_000, 10)}.00"
        if kind == "L":
            return self.random.random() < 0.8
        if kind == "M":
            return self.random.choice(VOCABULARY["texts"])
        if (column.length or 0) <= 4:  # a short code (代码表)
            return f"{self.random.randint(1, 4):0{column.length or 2}d}"
        return f"{column.name}{index % 50 + 1:02d}"

    def date(self, column: Column) -> dt.date:
        """A past date, or a coming one for the end of a validity or a term (有效期至, …止)."""
        if re.search(r"至$|止$|下次|期限$", column.name):
            return self.today + dt.timedelta(days=self.random.randrange(30, 365 * 5))
        return self.today - dt.timedelta(days=self.random.randrange(1, 365 * 8))

    # --- shared pieces ----------------------------------------------------------------------

    def person_name(self) -> str:
        given = VOCABULARY["given_names"]
        return self.random.choice(VOCABULARY["surnames"]) + "".join(
            self.random.choice(given) for _ in range(self.random.choice((1, 2)))
        )

    def mobile(self) -> str:
        return f"1{self.random.choice('3578')}{self.random.randrange(10**9):09d}"

    def address(self, county: str | None = None) -> str:
        county = county or self.random.choice(COUNTIES)[1]
        street = self.random.choice(VOCABULARY["streets"])
        return f"山东省潍坊市{county}{street}{self.random.randrange(1, 400)}号"

    def entity_name(self, index: int, county: str | None = None) -> str:
        county = county or self.random.choice(COUNTIES)[1]
        brand = "".join(self.random.sample(VOCABULARY["given_names"], 2))
        trade, form = (
            self.random.choice(VOCABULARY["trades"]),
            self.random.choice(VOCABULARY["forms"]),
        )
        return f"潍坊{county[:2]}{brand}{trade}{form}"
