"""Signed checkpoints: the two tamperings the probe got past ``verify`` (issue #11 item 4) are
caught once a checkpoint covers the records, and the store itself cannot be forged or cut."""

from __future__ import annotations

import datetime as dt
import json
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from govshare.core.evidence.chain import ChainHead, append_records, record_hash, verify_chain
from govshare.core.evidence.checkpoints import (
    Checkpoint,
    CheckpointFault,
    CheckpointRefused,
    Taken,
    local_store,
    take_checkpoint,
    verify_checkpoints,
)
from govshare.core.evidence.signing import load_or_create_node_key, rotate_node_key
from govshare.core.models import AuditEvent
from govshare.exchange.models import DeliveryRecord
from tests.core.test_chain_writer import delivery
from tests.tamper import past_the_log_guard

pytestmark = pytest.mark.django_db

LATER = dt.timedelta(hours=1)  # well past two checkpoint intervals


def add_events(count: int) -> list[AuditEvent]:
    now = timezone.now()
    events = [
        AuditEvent(created=now, action="test.write", object_type="test", object_id=str(n))
        for n in range(count)
    ]
    return append_records(AuditEvent, events)


def add_deliveries(count: int) -> list[DeliveryRecord]:
    return append_records(DeliveryRecord, [DeliveryRecord(**delivery(n)) for n in range(count)])


def checkpoint(model=AuditEvent):
    return take_checkpoint(model, load_or_create_node_key())


def store_lines(chain: str = "audit") -> list[str]:
    return local_store().path(chain).read_text().splitlines()


def test_a_checkpoint_is_a_signed_line_in_a_private_file_and_not_repeated_while_unchanged(
    settings,
):
    add_events(3)

    taken = checkpoint()

    assert taken.taken == Taken.WRITTEN and taken.checkpoint.seq == 3
    path = local_store().path("audit")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    (line,) = store_lines()
    stored = json.loads(line)
    assert stored["hash"] == ChainHead.objects.get(name="audit").last_hash
    assert stored["node"] == settings.GOVSHARE_NODE_CODE
    assert stored["key_id"] == load_or_create_node_key().key_id
    # canonical JSON: sorted keys, no whitespace
    assert line == json.dumps(stored, sort_keys=True, separators=(",", ":"))

    assert checkpoint().taken == Taken.UNCHANGED and len(store_lines()) == 1
    add_events(1)
    assert checkpoint().checkpoint.seq == 4 and len(store_lines()) == 2


def test_verify_passes_on_a_checkpointed_chain(capsys):
    add_events(3)
    checkpoint()
    add_deliveries(2)
    checkpoint(DeliveryRecord)

    call_command("audit", "verify")
    call_command("audit", "verify", "--deliveries")

    out = capsys.readouterr().out
    assert "audit: 3 records verified" in out and "last good checkpoint #3" in out
    assert "deliveries: 2 records verified" in out and "last good checkpoint #2" in out


def test_the_last_delivery_deleted_and_the_head_stepped_back_is_caught(capsys):
    # given five delivery records, checkpointed after the third and after the fifth
    add_deliveries(3)
    checkpoint(DeliveryRecord)
    records = add_deliveries(2)
    checkpoint(DeliveryRecord)

    # when someone who owns the database deletes the last record and steps the head back
    with past_the_log_guard():
        DeliveryRecord.objects.filter(seq=5).delete()
    ChainHead.objects.filter(name="deliveries").update(last_seq=4, last_hash=records[0].hash)

    # then the chain alone still looks whole, as the probe found ...
    assert verify_chain(DeliveryRecord).is_intact
    # ... but not against its checkpoints
    report = verify_checkpoints(DeliveryRecord)
    assert report.fault == CheckpointFault.TRUNCATED
    assert report.last_good.seq == 3 and report.first_uncovered_seq == 4
    with pytest.raises(CommandError, match="last good checkpoint #3, first record not covered #4"):
        call_command("audit", "verify", "--deliveries")
    assert "truncated" in capsys.readouterr().out


def test_audit_record_500_changed_and_every_later_hash_recomputed_is_caught(capsys):
    # given 600 audit records, checkpointed after the 300th and after the 600th
    add_events(300)
    checkpoint()
    add_events(300)
    checkpoint()

    # when someone changes record #500 and recomputes every later hash and the head
    with past_the_log_guard():
        last_hash = _rewrite_from(500, object_repr="rewritten")
    ChainHead.objects.filter(name="audit").update(last_hash=last_hash)

    # then the chain alone verifies, but the checkpoints name the first record after #300
    assert verify_chain(AuditEvent).is_intact
    report = verify_checkpoints(AuditEvent)
    assert report.fault == CheckpointFault.REWRITTEN
    assert report.last_good.seq == 300 and report.first_uncovered_seq == 301
    with pytest.raises(
        CommandError, match="last good checkpoint #300, first record not covered #301"
    ):
        call_command("audit", "verify")
    assert "rewritten" in capsys.readouterr().out


def _rewrite_from(seq: int, **changes: str) -> str:
    """Change record ``seq`` and re-link every later one with the project's own record_hash."""
    rows = list(AuditEvent.objects.filter(seq__gte=seq).order_by("seq"))
    previous = rows[0].prev_hash
    for row in rows:
        if row.seq == seq:
            for name, value in changes.items():
                setattr(row, name, value)
        row.prev_hash = previous
        row.hash = record_hash(AuditEvent.content_of(row.__dict__), row.seq, previous)
        AuditEvent.objects.filter(seq=row.seq).update(
            prev_hash=row.prev_hash, hash=row.hash, **changes if row.seq == seq else {}
        )
        previous = row.hash
    return previous


def test_an_altered_checkpoint_line_fails_its_signature():
    add_events(3)
    checkpoint()
    path = local_store().path("audit")
    path.write_text(path.read_text().replace('"seq":3', '"seq":2'))

    report = verify_checkpoints(AuditEvent)

    assert report.fault == CheckpointFault.SIGNATURE_INVALID
    assert "line 1" in report.detail and report.last_good is None
    assert report.first_uncovered_seq == 1
    with pytest.raises(CommandError, match="signature_invalid"):
        call_command("audit", "verify")


@pytest.mark.parametrize(
    "line", ["not json", "[3]", '{"seq": "3"}', json.dumps({"signature": 1, "seq": 3})]
)
def test_a_line_that_is_no_checkpoint_fails_as_one_with_an_invalid_signature(line):
    add_events(3)
    checkpoint()
    with local_store().path("audit").open("a") as store:
        store.write(line + "\n")

    report = verify_checkpoints(AuditEvent)

    assert report.fault == CheckpointFault.SIGNATURE_INVALID and "line 2" in report.detail
    assert report.last_good.seq == 3


def test_a_checkpoint_signed_by_another_key_is_refused(settings):
    # given a good checkpoint, then one signed with a key that is not this node's
    add_events(3)
    checkpoint()
    add_events(2)
    stranger = load_or_create_node_key(settings.GOVSHARE_NODE_KEY_FILE.with_name("other.json"))
    head = ChainHead.objects.get(name="audit")
    forged = Checkpoint("audit", head.last_seq, head.last_hash, "2026-12-01T00:00:00", "", "x")
    local_store().append(forged.signed(stranger))

    report = verify_checkpoints(AuditEvent)

    assert report.fault == CheckpointFault.SIGNATURE_INVALID
    assert "not a key of this node" in report.detail
    assert report.last_good.seq == 3 and report.first_uncovered_seq == 4
    # and the checkpointer does not take the forged line for its last checkpoint
    assert checkpoint().taken == Taken.WRITTEN


def test_checkpoints_of_a_rotated_key_still_verify():
    add_events(2)
    checkpoint()
    rotate_node_key()
    add_events(2)
    checkpoint()

    report = verify_checkpoints(AuditEvent)

    first, second = (json.loads(line)["key_id"] for line in store_lines())
    assert first != second
    assert report.is_ok and report.checkpoints == 2 and report.last_good.seq == 4


def test_records_without_a_checkpoint_warn_while_young_and_fail_once_one_was_expected(capsys):
    # given records and no checkpoint store at all
    events = add_events(3)

    # then while they are young that is a warning: the checkpointer has not had its turn
    young = verify_checkpoints(AuditEvent)
    assert young.is_ok and "no checkpoint yet" in young.warning
    call_command("audit", "verify")
    assert "warning: 3 recent record(s) from #1" in capsys.readouterr().out

    # and once they are older than two intervals the store counts as missing
    old = verify_checkpoints(AuditEvent, now=events[0].created + LATER)
    assert old.fault == CheckpointFault.STORE_MISSING and old.first_uncovered_seq == 1


def test_records_left_after_the_last_checkpoint_fail_once_one_was_expected():
    add_events(3)
    checkpoint()
    late = add_events(2)

    assert verify_checkpoints(AuditEvent).is_ok  # just written
    report = verify_checkpoints(AuditEvent, now=late[0].created + LATER)
    assert report.fault == CheckpointFault.NOT_COVERED
    assert report.last_good.seq == 3 and report.first_uncovered_seq == 4


def test_the_checkpointer_refuses_to_sign_a_truncated_chain():
    # given a checkpoint at #3, then the last record deleted and the head stepped back
    events = add_events(3)
    checkpoint()
    with past_the_log_guard():
        AuditEvent.objects.filter(seq=3).delete()
    ChainHead.objects.filter(name="audit").update(last_seq=2, last_hash=events[1].hash)

    # then signing the new head is refused, and the command says so
    with pytest.raises(CheckpointRefused, match="behind the last checkpoint"):
        checkpoint()
    with pytest.raises(CommandError, match="not signed"):
        call_command("audit", "checkpoint")
    assert len(store_lines()) == 1


def test_the_checkpoint_command_signs_every_chain_once(capsys):
    add_events(2)
    add_deliveries(1)

    call_command("audit", "checkpoint")

    out = capsys.readouterr().out
    assert "audit: checkpoint #2 signed" in out and "deliveries: checkpoint #1 signed" in out
    call_command("audit", "checkpoint")
    assert "audit: unchanged since checkpoint #2" in capsys.readouterr().out


def test_the_key_command_shows_the_current_and_retired_keys(capsys):
    first = load_or_create_node_key()
    call_command("audit", "key", "--rotate")
    out = capsys.readouterr().out
    assert first.key_id in out and "retired" in out and "current" in out
