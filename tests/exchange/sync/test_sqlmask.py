"""Masking in the source query (源端脱敏): on PostgreSQL, MariaDB and SQLite, every SQL form of a
masking rule gives, value by value, exactly what ``masking.mask`` gives in Python."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govshare.catalog.choices import Masking
from govshare.exchange.masking import COMPOUND_SURNAMES, mask
from govshare.exchange.sync.sqlmask import classes, masked_expression
from tests.exchange.sync.scratch_databases import scratch

KINDS = [*Masking.values, "not-a-kind"]
EDGE_VALUES = [
    *["", " ", "  \t", "\n", "\u3000", "a", "李", "张三", "张三丰", " 王五 ", "\u3000张三\u3000"],
    *["欧阳娜娜", "欧阳", "欧阳 ", "司马相如", "Ab\tc", "x\x85", "𝟘𝟙𝟚𝟛𝟜𝟝", "ａｂｃ"],
    *["370702199001011234", "37070219900101123X", "370702900101123", "12345", "1234567890"],
    *["13812345678", "+8613812345678", "+86 13812345678", "86-13812345678", "+86\u300013812345678"],
    *["+861٣812345678", "0536-8234567", "010-62345678", "02087654321", "0", " 0x ", "0٣", "01"],
    *["12٣4x5678²", "²³¹", "①②③④⑤", "０１２３４５６７８９０１", "1\n", "138 1234 5678"],
    *["1381234567", "138123456789", "23812345678", " 13812345678", "1381234567٣"],
    *["山东省潍坊市奎文区胜利东街123号", "潍坊市昌乐县城关街道5号", "幸福小区5号楼2单元"],
    *["社区", "小区区", "胜利东街", "a\n区县", "内蒙古自治区阿拉善左旗"],
    *["一二三四五六七八九十一二区"],
    *[
        "一二三四五六七八九十一二三区",
        "区",
        "a区",
        "a区bcdefgh",
        "社区街道办事处区域",
        "小区a县bcdefg",
    ],
    *["6222021234567890123", "6222 0212 3456 7890", "123", "12", "1234"],
    # near-misses of the short paths (18-character ID numbers, 11-digit mobiles): one
    # character short or over, lower-case x, full-width or Arabic-Indic digits, spaces, newlines
    *["37070219900101123x", "3707021990010112345", "37070219900101123", "X70702199001011234"],
    *["37070219900101123Ｘ", "３７０７０２１９９００１０１１２３４", "37070219900101 234"],
    *[" 370702199001011234", "370702199001011234 ", "370702199001011234\n", "370702199001011٣34"],
    *[
        "\u3000370702199001011234",
        "37070219900101123\n",
        "370702-19900101123",
        "xxxxxxxxxxxxxxxxxx",
    ],
    *[
        "13812345678\n",
        "1381234567\n",
        "１3812345678",
        "13812345678 ",
        "1381234567x",
        "03812345678",
    ],
    *["alice@example.com", "@a", "a@", "a@b@c", "@", "@@", "not-an-email", "\ta@b.c\n", "张@三"],
]
EDGE_INTEGERS = [0, 1, -1, 7, 12345, 13812345678, -13812345678, 370702199001011234, 2**62]

PIECES = [
    *sorted(COMPOUND_SURNAMES)[:6],
    *["区", "县", "旗", "小", "社", "省", "市", "@", "+86", "86", "-", ".", "\n", "\r\n"],
    *["370702199001011234", "1381234567", "X", "x", "Ｘ"],
    *["0", "1", "2", "9", "138", "010", "0536", "٣", "²", "①", "５", "𝟗"],
    *list(classes().whitespace[:12]),
]
# Any character but a surrogate (no database stores one) and NUL (PostgreSQL cannot, and
# SQLite's string functions stop at it: sqlmask's module docstring).
characters = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
texts = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(characters, max_size=4)), max_size=10
).map("".join)


# --- a scratch table in each engine -------------------------------------------------------


class Values:
    """A table (id, text, number) in one engine that the examples refill."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.metadata = sa.MetaData()
        self.table = sa.Table(
            "masked_values",
            self.metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("text", sa.Text),
            sa.Column("number", sa.BigInteger),
            sa.Column("amount", sa.Numeric(12, 2)),
        )
        self.metadata.create_all(engine)

    def fill(self, texts: list[str | None], numbers: list[int | None]) -> None:
        size = max(len(texts), len(numbers))
        rows = [
            {
                "id": index + 1,
                "text": texts[index] if index < len(texts) else None,
                "number": numbers[index] if index < len(numbers) else None,
            }
            for index in range(size)
        ]
        with self.engine.begin() as db:
            db.execute(self.table.delete())
            db.execute(self.table.insert(), rows)

    def mismatches(self, column_name: str, *, literal: bool = False) -> list[tuple]:
        """(kind, stored, mask() of it, the SQL's answer) wherever they differ."""
        table = self.table
        column = table.c[column_name]
        dialect = self.engine.dialect.name
        masked = {kind: masked_expression(dialect, kind, column) for kind in KINDS}
        in_sql = {kind: expression for kind, expression in masked.items() if expression is not None}
        statement = sa.select(
            column, *(expression.label(f"m{n}") for n, expression in enumerate(in_sql.values()))
        ).order_by(table.c.id)
        with self.engine.connect() as db:
            if literal:  # as a COPY (SELECT …) would send it: no bound parameters
                sql = statement.compile(self.engine, compile_kwargs={"literal_binds": True})
                rows = db.exec_driver_sql(str(sql)).all()
            else:
                rows = db.execute(statement).all()
        return [
            (kind, row[0], mask(kind, row[0]), answer)
            for row in rows
            for kind, answer in zip(in_sql, row[1:], strict=True)
            if answer != mask(kind, row[0])
        ]


@pytest.fixture(scope="module", params=["postgresql", "mysql", "sqlite"])
def values(request, tmp_path_factory) -> Iterator[Values]:
    with scratch(request.param, tmp_path_factory.mktemp("sqlmask")) as database:
        engine = database.engine()
        try:
            yield Values(engine)
        finally:
            engine.dispose()


# --- exactness ----------------------------------------------------------------------------


def test_every_edge_value_is_masked_in_sql_as_in_python(values):
    # given awkward values: blank, short, compound surnames, odd digits, Unicode spaces, NULL
    values.fill([*EDGE_VALUES, None], [*EDGE_INTEGERS, None])
    # when they are selected through each rule's SQL form
    # then each answer is mask()'s, text and integer columns alike
    assert values.mismatches("text") == []
    assert values.mismatches("number") == []


def test_literal_sql_gives_the_same_answers_as_bound_parameters(values):
    """A COPY (SELECT …) TO STDOUT takes no parameters: the patterns are written into the SQL."""
    if values.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has no COPY; its statements always take parameters")
    values.fill([*EDGE_VALUES, None], [])
    assert values.mismatches("text", literal=True) == []


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    texts=st.lists(st.one_of(texts, st.none()), min_size=1, max_size=30),
    numbers=st.lists(st.one_of(st.integers(-(2**63), 2**63 - 1), st.none()), max_size=5),
)
def test_any_value_is_masked_in_sql_as_in_python(values, texts, numbers):
    # given any text (any character but NUL) and any 64-bit integer
    values.fill(texts, numbers)
    # then every rule's SQL form agrees with mask() on each of them
    assert values.mismatches("text") == []
    assert values.mismatches("number") == []


# --- where SQL is not used ----------------------------------------------------------------


def test_rules_without_an_exact_sql_form_are_left_to_python():
    table = sa.table(
        "t",
        sa.column("text", sa.Text),
        sa.column("number", sa.Integer),
        sa.column("amount", sa.Numeric(12, 2)),
        sa.column("untyped"),
    )
    # SQLite has no regular expressions: the digit rules are masked in Python
    assert masked_expression("sqlite", Masking.PHONE, table.c.text) is None
    assert masked_expression("sqlite", Masking.BANK_CARD, table.c.text) is None
    # an SQLite INTEGER column may hold REALs, whose text differs from Python's str()
    assert masked_expression("sqlite", Masking.NAME, table.c.number) is None
    # decimals (and dates, booleans) are written as text differently by each database
    for dialect in ("postgresql", "mysql"):
        assert masked_expression(dialect, Masking.ID_NUMBER, table.c.amount) is None
        assert masked_expression(dialect, Masking.NAME, table.c.untyped) is None
    # an engine without SQL forms
    assert masked_expression("oracle", Masking.NAME, table.c.text) is None


def test_custom_masking_and_unknown_kinds_are_sql_for_any_type():
    table = sa.table("t", sa.column("amount", sa.Numeric(12, 2)), sa.column("untyped"))
    for dialect in ("postgresql", "mysql", "mariadb", "sqlite"):
        for kind in (Masking.CUSTOM, "not-a-kind"):
            assert masked_expression(dialect, kind, table.c.amount) is not None
            assert masked_expression(dialect, kind, table.c.untyped) is not None


def test_no_masking_is_the_column_itself():
    column = sa.column("text", sa.Text)
    assert masked_expression("postgresql", Masking.NONE, column) is column


def test_mysql_is_also_known_as_mariadb():
    column = sa.column("text", sa.Text)
    assert masked_expression("mariadb", Masking.PHONE, column) is not None
