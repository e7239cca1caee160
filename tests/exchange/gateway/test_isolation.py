"""A delivery record that cannot be written is isolated (issue #11, item 1): set aside in the
quarantine file, a substitute written in its place with the fault noted, an alarm raised — and
every other record written as usual. Only an unwritable log stops the gateway (fail-closed)."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from django.db import connection
from django.utils import timezone

from govshare.core.evidence import chain
from govshare.exchange.gateway.writer import QUARANTINE_FILE, DeliveryLogUnavailable
from govshare.exchange.models import DeliveryRecord
from tests.exchange.gateway.conftest import start_gateway
from tests.exchange.gateway.factories import PEOPLE, grant

ZHANG = PEOPLE[0][0]


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def a_record(request_id: str, **values):
    """A delivery record as the gateway hands it to the writer (a refused token call)."""
    return {
        "created": timezone.now(), "request_id": request_id, "application_id": None,
        "application_name": "", "consumer_id": None, "consumer_name": "", "provider_id": None,
        "resource_id": None, "resource_name": "", "grant_id": None, "share_request_number": "",
        "purpose": "", "app_key": "", "end_user": "", "case_number": "", "mode": "token",
        "items": [], "masked": [], "row_count": 0, "status": 401,
        "error_code": "bad_credentials", "latency_ms": 1.5, "body_digest": "0" * 64,
        "client_ip": "127.0.0.1", **values,
    }  # fmt: skip


def commit_together(gw, records):
    """Hand ``records`` to the gateway's writer in one turn of its loop (one batch); what
    each commit came to: None, or the exception."""

    async def commit_all():
        commits = [gw.gateway.writer.commit(record) for record in records]
        return await asyncio.gather(*commits, return_exceptions=True)

    return gw.client.portal.call(commit_all)


def quarantined(var_dir):
    path = var_dir / QUARANTINE_FILE
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_bad_record_in_a_batch_is_set_aside_and_the_others_are_written(
    world, gw, var_dir, caplog
):
    # given a batch of ten records, one holding a lone surrogate (no digest can be made of it)
    records = [a_record(f"ok-{n}") for n in range(10)]
    records[4] = a_record("bad-1", app_key="key\ud800", end_user="王\udfff")

    # when they are committed together
    with caplog.at_level(logging.ERROR, logger="govshare.gateway"):
        outcomes = commit_together(gw, records)

    # then every commit succeeded: the nine as given, the bad one through its substitute
    assert outcomes == [None] * 10
    for n in (0, 1, 2, 3, 5, 6, 7, 8, 9):
        written = DeliveryRecord.objects.get(request_id=f"ok-{n}")
        assert (written.app_key, written.error_code) == ("", "bad_credentials")
    substitute = DeliveryRecord.objects.get(request_id="bad-1")
    assert substitute.error_code == "unwritable:UnicodeEncodeError"
    assert (substitute.app_key, substitute.end_user) == ("key\\ud800", "王\\udfff")
    assert substitute.status == 401
    # the original kept aside, escaped, in the quarantine file under var/; an alarm; a count
    (kept,) = quarantined(var_dir)
    assert kept["record"]["app_key"] == "key\ud800" and "UnicodeEncodeError" in kept["fault"]
    assert "\\ud800" in (var_dir / QUARANTINE_FILE).read_text()  # escaped on disk
    assert (var_dir / QUARANTINE_FILE).stat().st_mode & 0o777 == 0o600
    assert "bad-1 could not be written" in caplog.text
    assert gw.client.get("/gw/health").json()["records_set_aside"] == 1
    # and the chain holds together
    assert chain.verify_chain(DeliveryRecord).is_intact


def test_values_the_database_refuses_are_isolated_too(world, gw, var_dir):
    # NUL in text and a value longer than its varchar: PostgreSQL refuses both; SQLite takes them
    records = [
        a_record("nul", end_user="a\x00b"),
        a_record("long", app_key="k" * 40),
        a_record("fine"),
    ]
    assert commit_together(gw, records) == [None, None, None]

    nul, long, fine = (
        DeliveryRecord.objects.get(request_id=name) for name in ("nul", "long", "fine")
    )
    assert fine.error_code == "bad_credentials"
    if connection.vendor == "postgresql":
        assert (nul.end_user, nul.error_code) == ("a\\x00b", "unwritable:DataError")
        assert long.app_key == "k" * 32 and long.error_code.startswith("unwritable:")
        assert len(quarantined(var_dir)) == 2
    else:
        assert (nul.end_user, long.app_key) == ("a\x00b", "k" * 40)
        assert quarantined(var_dir) == []
    assert chain.verify_chain(DeliveryRecord).is_intact


def test_no_record_is_lost_at_shutdown_because_of_a_bad_one(world, var_dir, monkeypatch):
    # given a gateway whose log is unwritable for a while, holding refusals, one of them bad
    stopped_with: list[int] = []
    for running in start_gateway(redis_url=""):
        writer = running.gateway.writer
        real_append = writer.store.append

        def broken(records):
            raise RuntimeError("disk full")

        monkeypatch.setattr(writer.store, "append", broken)
        answer = running.client.post("/gw/token", json={}, headers={"X-Request-Id": "held-1"})
        assert answer.status_code == 503  # failing closed: the log cannot be written

        async def hold(record, writer=writer):
            writer.record_refusal(record)

        for record in (a_record("held-2", app_key="\ud800"), a_record("held-3")):
            running.client.portal.call(hold, record)
        # when the log is writable again and the gateway is stopped before it retried
        monkeypatch.setattr(writer.store, "append", real_append)
        stopped_with.append(len(writer._queue))
    # then every held record was written at shutdown, the bad one through its substitute
    assert stopped_with == [3]
    found = dict(DeliveryRecord.objects.values_list("request_id", "error_code"))
    assert found["held-1"] == "delivery_log_unavailable"
    assert found["held-2"] == "unwritable:UnicodeEncodeError"
    assert found["held-3"] == "bad_credentials"
    assert len(quarantined(var_dir)) == 1
    assert chain.verify_chain(DeliveryRecord).is_intact


def test_an_unwritable_log_still_fails_closed_and_sets_nothing_aside(
    world, gw, var_dir, monkeypatch
):
    grant(world, ["GMSFHM", "XM"])
    gw.refresh()
    token = gw.token(world)

    def broken(records):
        raise RuntimeError("disk full")

    # given a log that takes no record at all, and a batch of good and bad records
    monkeypatch.setattr(gw.gateway.writer.store, "append", broken)
    outcomes = commit_together(gw, [a_record("a"), a_record("b", app_key="\ud800")])

    # then nothing is taken for a bad record: the calls fail, the gateway answers 503
    assert all(isinstance(outcome, DeliveryLogUnavailable) for outcome in outcomes)
    query = gw.call("GET", f"/gw/resources/{world.ref}/query", token, params={"GMSFHM": ZHANG})
    assert query.status_code == 503 and query.json()["code"] == "delivery_log_unavailable"
    assert gw.client.get("/gw/health").json()["records_set_aside"] == 0
    assert quarantined(var_dir) == []
