"""The demo provider database: valid, unique identity numbers and credit codes."""

from __future__ import annotations

import random
import sqlite3

from stdnum.cn import ric, uscc

from govshare.demo.base_data import Rows, build
from govshare.demo.catalog import plans
from govshare.demo.values import BINARY_TYPES, Column, Values
from tests.demo.plausible import assert_plausible


def test_population_rows_carry_valid_unique_identity_numbers(tmp_path):
    path = tmp_path / "base.sqlite3"
    items = [("GMSFHM", "C"), ("XM", "C"), ("XBDM", "C"), ("CSRQ", "D"), ("RXZP", "G")]

    build(path, "population", items, "GMSFHM", 5000, Rows(1).person, 1)

    rows = sqlite3.connect(path).execute("SELECT gmsfhm, xbdm, csrq, rxzp FROM population")
    rows = rows.fetchall()
    assert len(rows) == 5000 == len({row[0] for row in rows})
    assert all(ric.is_valid(number) for number, *_ in rows)
    # the sex code and birth date agree with the number (GB 11643)
    assert all((int(n[16]) % 2 == 1) == (sex == "1") for n, sex, _b, _p in rows)
    assert all(n[6:14] == birth.replace("-", "") for n, _s, birth, _p in rows)
    assert all(photo is None for *_, photo in rows)  # binary items are not generated


def test_legal_entities_carry_valid_credit_codes():
    rows = Rows(2)
    entities = [rows.entity(index) for index in range(500)]

    assert all(uscc.is_valid(entity["TYSHXYDM"]) for entity in entities)
    assert len({entity["TYSHXYDM"] for entity in entities}) == 500
    assert all(ric.is_valid(entity["FDDBRZJHM"]) for entity in entities)


def test_every_item_of_the_demo_catalog_gets_plausible_values():
    # given every data item the demo catalogues, when a table of each is made
    values = Values(random.Random(7))
    items = {item.identifier + item.name: item for plan in plans() for item in plan.items}
    for item in items.values():
        column = Column(item.identifier, item.data_type, item.name, item.length)
        # then its values are filled, fit the item and are of its kind
        for index in range(20):
            value = values.of(column, index)
            if item.data_type not in BINARY_TYPES:
                assert_plausible(item, value, "catalogue")
