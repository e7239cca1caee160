"""The chain writer appends records on a connection of its own: they hash exactly as the ORM path
hashes them, interleave with it in one chain, and a failed batch leaves nothing behind."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from govshare.core.async_bridge import greenlet_spawn
from govshare.core.evidence.chain import ChainHead, ChainWriter, append_records, verify_chain
from govshare.exchange.models import DeliveryRecord
from tests.loops import run_coroutine

pytestmark = pytest.mark.django_db(transaction=True)


def delivery(n: int) -> dict:
    return {
        "created": timezone.now(),
        "request_id": f"req-{n}",
        "application_id": 1,
        "application_name": "社保经办系统",
        "consumer_id": 2,
        "consumer_name": "市人社局",
        "provider_id": 3,
        "resource_id": 4,
        "resource_name": "人口基础信息",
        "grant_id": 5,
        "share_request_number": "SQ1",
        "purpose": "administrative_basis",
        "app_key": "gsa0000000000001",
        "end_user": "张三",
        "case_number": "BJ-1",
        "mode": "query",
        "items": ["GMSFHM", "XM"],
        "masked": ["GMSFHM"],
        "row_count": 1,
        "status": 200,
        "error_code": "",
        "latency_ms": 1.5,
        "body_digest": "a" * 64,
        "client_ip": "127.0.0.1",
    }


@pytest.fixture
def writer():
    opened = ChainWriter(DeliveryRecord)
    opened.open()
    yield opened
    opened.close()


def test_records_appended_by_the_writer_and_by_the_orm_form_one_verified_chain(writer):
    # given records written through the ORM, then by the writer, then through the ORM again
    append_records(DeliveryRecord, [DeliveryRecord(**delivery(0))])
    writer.append([delivery(1), delivery(2)])
    append_records(DeliveryRecord, [DeliveryRecord(**delivery(3))])

    # then they are numbered without gaps, read back as written, and the chain verifies
    records = list(DeliveryRecord.objects.order_by("seq"))
    assert [r.seq for r in records] == [1, 2, 3, 4]
    assert [r.request_id for r in records] == ["req-0", "req-1", "req-2", "req-3"]
    assert records[1].items == ["GMSFHM", "XM"] and records[1].end_user == "张三"
    assert verify_chain(DeliveryRecord).is_intact


def test_a_batch_larger_than_one_insert_statement_is_written_whole(writer, monkeypatch):
    # given inserts of at most 3 rows per statement
    monkeypatch.setattr(writer, "_rows_per_insert", 3)
    writer.append([delivery(n) for n in range(8)])
    assert DeliveryRecord.objects.count() == 8
    assert verify_chain(DeliveryRecord).is_intact


def test_a_failing_batch_writes_nothing_and_the_head_does_not_move(writer, monkeypatch):
    writer.append([delivery(0)])

    # given a record that cannot be hashed (its content is not JSON)
    bad = delivery(2)
    bad["items"] = [object()]
    with pytest.raises(TypeError):
        writer.append([delivery(1), bad])

    # then nothing of the batch is stored, and the next batch follows the first
    assert DeliveryRecord.objects.count() == 1
    writer.append([delivery(3)])
    assert list(DeliveryRecord.objects.values_list("seq", "request_id").order_by("seq")) == [
        (1, "req-0"),
        (2, "req-3"),
    ]
    assert ChainHead.objects.get(name="deliveries").last_seq == 2
    assert verify_chain(DeliveryRecord).is_intact


def test_a_closed_writer_refuses_to_append(writer):
    writer.close()
    with pytest.raises(RuntimeError, match="not open"):
        writer.append([delivery(0)])


def test_on_postgresql_the_writer_appends_from_an_event_loop_without_a_thread():
    if connection.vendor != "postgresql":
        pytest.skip("the asynchronous path is PostgreSQL's")

    async def append_on_the_loop():
        writer = ChainWriter(DeliveryRecord)
        await writer.open_on_loop()
        try:
            await greenlet_spawn(writer.append, [delivery(0), delivery(1)])
        finally:
            await greenlet_spawn(writer.close)

    run_coroutine(append_on_the_loop())
    assert list(DeliveryRecord.objects.values_list("request_id", flat=True).order_by("seq")) == [
        "req-0",
        "req-1",
    ]
    assert verify_chain(DeliveryRecord).is_intact
