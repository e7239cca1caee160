"""The delivery log (交付日志): one hash-chained record per call, errors included, written before
the answer leaves; when it cannot be written the gateway fails closed, then recovers."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from govshare.core.async_bridge import greenlet_spawn
from govshare.core.crypto import sm3_hex
from govshare.core.evidence import chain
from govshare.exchange.models import DeliveryRecord
from govshare.exchange.selectors import visible_deliveries
from tests.exchange.gateway.factories import PEOPLE, grant
from tests.readiness import wait_until
from tests.tamper import past_the_log_guard

ZHANG = PEOPLE[0][0]


@pytest.fixture
def token(world, gw):
    grant(world, ["GMSFHM", "XM"])
    gw.refresh()
    return gw.token(world)


def query_until_served(gw, query, token, request_id):
    """Call until the gateway answers 200 (it recovers by itself); the last answer."""
    answers = []

    def served() -> bool:
        answers.append(gw.call("GET", query, token, params={"GMSFHM": ZHANG},
                               headers={"X-Request-Id": request_id}))  # fmt: skip
        return answers[-1].status_code == 200

    wait_until(served, "the gateway serving again")
    return answers[-1]


def test_every_call_has_exactly_one_record_and_the_chain_verifies(world, gw, token):
    # given calls that succeed and calls refused at every step
    query = f"/gw/resources/{world.ref}/query"
    calls = [
        ("GET", query, token, {"params": {"GMSFHM": ZHANG}}),  # 200
        ("GET", query, None, {"params": {"GMSFHM": ZHANG}}),  # 401, caller unknown
        ("GET", query, "v1.1.1.1.forged", {}),  # 401, forged
        ("GET", query, token, {"params": {"GMSFHM": ZHANG, "items": "ZZ"}}),  # 403
        ("GET", "/gw/resources/404/query", token, {}),  # 404
        ("GET", query, token, {"params": {"nope": "1"}}),  # 422
        ("GET", "/gw/resources", token, {}),  # discovery
        ("GET", "/gw/unknown", None, {}),  # routing 404
    ]
    before = DeliveryRecord.objects.count()  # the token call of the fixture
    answers = []
    for n, (method, path, bearer, options) in enumerate(calls):
        headers = {"X-Request-Id": f"call-{n}"}
        answers.append(gw.call(method, path, bearer, headers=headers, **options))

    # then each call has its record, with the status and the digest of the body sent
    assert DeliveryRecord.objects.count() == before + len(calls)
    for n, answer in enumerate(answers):
        record = DeliveryRecord.objects.get(request_id=f"call-{n}")
        assert record.status == answer.status_code
        assert record.body_digest == sm3_hex(answer.content)
    assert chain.verify_chain(DeliveryRecord).is_intact


def test_a_record_names_the_parties_items_and_masking(world, gw, token):
    gw.call("GET", f"/gw/resources/{world.ref}/query", token, params={"GMSFHM": ZHANG},
            headers={"X-Request-Id": "evidence-1", "X-Case-Number": "BJ-1"})  # fmt: skip
    record = DeliveryRecord.objects.get(request_id="evidence-1")
    the_grant = world.grants[0]
    assert record.application_id == world.application.pk
    assert (record.consumer_id, record.provider_id) == (world.consumer.pk, world.provider.pk)
    assert (record.resource_id, record.grant_id) == (world.resource.pk, the_grant.pk)
    assert record.share_request_number == the_grant.request.number
    assert record.purpose == "administrative_basis" and record.mode == "query"
    assert (record.items, record.masked, record.row_count) == (
        ["GMSFHM", "XM"],
        ["GMSFHM", "XM"],
        1,
    )
    assert record.app_key == world.credential.app_key and record.client_ip == "127.0.0.1"
    assert record.case_number == "BJ-1" and record.latency_ms > 0


def test_an_unknown_caller_is_recorded_without_ids(world, gw):
    gw.call("GET", f"/gw/resources/{world.ref}/query", None, headers={"X-Request-Id": "anon"})
    record = DeliveryRecord.objects.get(request_id="anon")
    assert (record.application_id, record.consumer_id, record.grant_id) == (None, None, None)
    assert (record.status, record.error_code) == (401, "not_authenticated")


def test_the_gateway_fails_closed_when_the_log_cannot_be_written_then_recovers(
    world, gw, token, monkeypatch
):
    query = f"/gw/resources/{world.ref}/query"
    store = gw.gateway.writer.store
    real_append = store.append

    def broken(records):
        raise RuntimeError("disk full")

    # given a delivery log that cannot be written
    monkeypatch.setattr(store, "append", broken)

    # when calls come in, they are refused with 503 and no data
    first = gw.call("GET", query, token, params={"GMSFHM": ZHANG}, headers={"X-Request-Id": "f1"})
    second = gw.call("GET", query, token, params={"GMSFHM": ZHANG}, headers={"X-Request-Id": "f2"})
    for refused in (first, second):
        assert refused.status_code == 503, refused.text
        assert refused.json()["code"] == "delivery_log_unavailable"
        assert "370702" not in refused.text
    assert gw.client.get("/gw/health").status_code == 503

    # when the log is writable again, the gateway serves again by itself
    monkeypatch.setattr(store, "append", real_append)
    assert query_until_served(gw, query, token, "after").status_code == 200

    # then the refusals were recorded as 503s (not the answers that were never sent) and the
    # chain holds together
    assert set(DeliveryRecord.objects.filter(request_id__in=["f1", "f2"]).values_list(
        "status", flat=True)) == {503}  # fmt: skip
    assert not DeliveryRecord.objects.filter(request_id__in=["f1", "f2"], status=200).exists()
    assert chain.verify_chain(DeliveryRecord).is_intact


def test_the_writer_reconnects_when_its_connection_is_lost(world, gw, token):
    query = f"/gw/resources/{world.ref}/query"
    # given the writer's own database connection, closed under it
    store = gw.gateway.writer.store
    if store.is_local_file:
        store.close()
    else:  # an asynchronous connection: closed on the gateway's loop
        gw.client.portal.call(greenlet_spawn, store.close)

    # when calls come in, the first is refused (its record could not be written) ...
    first = gw.call("GET", query, token, params={"GMSFHM": ZHANG}, headers={"X-Request-Id": "c1"})
    assert first.status_code == 503

    # ... and the writer reconnects by itself and serves again
    assert query_until_served(gw, query, token, "c2").status_code == 200
    assert DeliveryRecord.objects.filter(request_id="c2", status=200).count() == 1
    assert chain.verify_chain(DeliveryRecord).is_intact


def test_audit_verify_deliveries_checks_the_chain_and_names_a_broken_record(
    world, gw, token, capsys
):
    for _ in range(3):
        gw.call("GET", f"/gw/resources/{world.ref}/query", token, params={"GMSFHM": ZHANG})
    count = DeliveryRecord.objects.count()

    call_command("audit", "verify", "--deliveries")
    assert f"deliveries: {count} records verified" in capsys.readouterr().out

    with past_the_log_guard():  # someone who owns the database edits the evidence
        DeliveryRecord.objects.filter(seq=2).update(row_count=99)
    with pytest.raises(CommandError, match="delivery log broken at record #2"):
        call_command("audit", "verify", "--deliveries")


def test_a_401_is_an_unattributed_refusal_in_the_log_the_auditor_sees(
    world, gw, token, auditor, admin_user
):
    # given a call without credentials and one with a forged token
    query = f"/gw/resources/{world.ref}/query"
    gw.call("GET", query, None, params={"GMSFHM": ZHANG}, headers={"X-Request-Id": "anon"})
    gw.call("GET", query, "v1.1.1.1.forged", headers={"X-Request-Id": "forged"})

    # then each is a 401 record naming no caller (README: "belongs to no department")
    records = DeliveryRecord.objects.filter(request_id__in=["anon", "forged"])
    assert sorted(record.status for record in records) == [401, 401]
    assert all(r.consumer_id is None and r.provider_id is None for r in records)
    assert {r.error_code for r in records} == {"not_authenticated", "token_invalid"}
    # and the auditor and the platform admin find them in the delivery log
    for reader in (auditor, admin_user):
        visible = visible_deliveries(reader).filter(request_id__in=["anon", "forged"])
        assert visible.count() == 2
