"""The audit trail is hash-chained: verify finds an edited, deleted or truncated record."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from govshare.core.evidence import audit
from govshare.core.evidence.chain import verify_chain
from govshare.core.models import AuditEvent
from tests.tamper import past_the_log_guard

pytestmark = pytest.mark.django_db


def _three_events():
    return [
        audit.record(
            actor=None,
            action="test.write",
            object_type="test",
            object_id=str(i),
            after={"n": i, "名称": "数据"},
        )
        for i in range(3)
    ]


def test_given_untouched_events_when_verified_then_chain_is_intact():
    _three_events()
    report = verify_chain(AuditEvent)
    assert report.is_intact and report.checked == 3


def test_given_a_row_edited_with_raw_sql_when_verified_then_that_row_is_named(capsys):
    events = _three_events()
    with past_the_log_guard(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET object_repr = %s WHERE seq = %s",
            ["tampered", events[1].seq],
        )
    report = verify_chain(AuditEvent)
    assert report.broken_seq == events[1].seq
    assert "altered" in report.reason
    with pytest.raises(CommandError, match=f"#{events[1].seq}"):
        call_command("audit", "verify")


def test_given_a_row_deleted_with_raw_sql_when_verified_then_the_gap_is_found():
    events = _three_events()
    with past_the_log_guard(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq = %s", [events[1].seq])
    report = verify_chain(AuditEvent)
    assert report.broken_seq == events[2].seq


def test_given_the_last_row_deleted_when_verified_then_truncation_is_found():
    events = _three_events()
    with past_the_log_guard(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq = %s", [events[2].seq])
    report = verify_chain(AuditEvent)
    assert not report.is_intact and "missing" in report.reason


def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm():
    event = _three_events()[0]
    event.object_repr = "changed"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()


def test_verify_command_reports_an_intact_chain(capsys):
    _three_events()
    call_command("audit", "verify")
    assert "3 records verified" in capsys.readouterr().out
