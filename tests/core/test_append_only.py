"""The database refuses UPDATE and DELETE of audit and delivery rows (issue #11 item 4): the
application's own code cannot change the evidence, whichever way it goes round the models."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from govshare.core.evidence import audit
from govshare.core.evidence.chain import append_records
from govshare.core.models import AuditEvent
from govshare.exchange.models import DeliveryRecord
from tests.core.test_chain_writer import delivery
from tests.tamper import LOG_TABLES

ROW_CHANGES = [
    ("core_auditevent", "UPDATE core_auditevent SET object_repr = 'changed'"),
    ("core_auditevent", "DELETE FROM core_auditevent"),
    ("exchange_deliveryrecord", "UPDATE exchange_deliveryrecord SET row_count = 99"),
    ("exchange_deliveryrecord", "DELETE FROM exchange_deliveryrecord"),
]


def _log_rows() -> None:
    audit.record(actor=None, action="test.write", object_type="test", object_id="1")
    append_records(DeliveryRecord, [DeliveryRecord(**delivery(1))])


def _triggers(table: str) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db
@pytest.mark.parametrize("table", LOG_TABLES)
def test_the_log_tables_carry_their_guard_after_every_migration(table):
    # A migration that makes Django rebuild the table on SQLite drops them: it must end with
    # core.evidence.append_only.guard_table again.
    expected = (
        {f"{table}_append_only"}
        if connection.vendor == "postgresql"
        else {f"{table}_no_update", f"{table}_no_delete"}
    )
    assert _triggers(table) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("table", "sql"), ROW_CHANGES)
def test_the_database_refuses_to_update_or_delete_a_log_row(table, sql):
    _log_rows()
    with pytest.raises(IntegrityError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.filter(object_repr="changed").count() == 0
    assert DeliveryRecord.objects.filter(row_count=99).count() == 0
    assert AuditEvent.objects.count() >= 1 and DeliveryRecord.objects.count() == 1


@pytest.mark.django_db
def test_querysets_cannot_go_round_the_models_either():
    _log_rows()
    with pytest.raises(IntegrityError), transaction.atomic():
        DeliveryRecord.objects.all().update(status=500)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.all().delete()


@pytest.mark.django_db
def test_appending_still_works():
    before = AuditEvent.objects.count()
    _log_rows()
    _log_rows()
    assert AuditEvent.objects.count() == before + 2 and DeliveryRecord.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_logs_as_truncate_does_on_postgresql():
    _log_rows()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists() and not DeliveryRecord.objects.exists()
