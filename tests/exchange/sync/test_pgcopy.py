"""The COPY path's SELECT (二进制COPY直通), compiled once per run: each batch binds only its key
range, on a real PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from govshare.exchange.sync.pgcopy import CompiledSelect
from tests.exchange.sync.scratch_databases import scratch


def test_a_compiled_select_gives_each_batch_its_own_key_range(tmp_path):
    with scratch("postgresql", tmp_path) as database:
        engine = database.engine()
        try:
            # given a table of ten keys and a SELECT compiled once with its bounds as parameters
            table = sa.Table("keys", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
            table.create(engine)
            with engine.begin() as db:
                db.execute(table.insert(), [{"id": n} for n in range(1, 11)])
            after = sa.bindparam("gs_after_0", None, type_=sa.Integer)
            upto = sa.bindparam("gs_upto_0", None, type_=sa.Integer)
            with engine.connect() as db:
                statement = sa.select(table.c.id).where(table.c.id > after, table.c.id <= upto)
                compiled = CompiledSelect(db, statement.order_by(table.c.id))

                # when two batches bind their ranges
                first = compiled.sql(db, gs_after_0=0, gs_upto_0=4)
                second = compiled.sql(db, gs_after_0=4, gs_upto_0=10)

                # then each SQL text reads exactly its own rows
                assert [row[0] for row in db.exec_driver_sql(first)] == [1, 2, 3, 4]
                assert [row[0] for row in db.exec_driver_sql(second)] == list(range(5, 11))
                # and a name the statement lacks is refused, not silently ignored
                with pytest.raises(ValueError, match="gs_later_0"):
                    compiled.sql(db, gs_later_0=1)
        finally:
            engine.dispose()
