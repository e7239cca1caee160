"""Gateway traffic of the demo city: six weeks of delivery-log history, then real calls today.

The history (the 45 days before today) is generated as the gateway would have recorded it —
one chained record per call of each live grant, mostly answered, some refused — so the delivery
log's charts have days to show. Today's calls then go through the real gateway app, in process,
with 人社局's demo credential (README): its answers and refusals are recorded by the gateway
itself. Loaded once: a node whose delivery log has records gets none added.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
import warnings
from collections.abc import Callable

from django.utils import timezone

from govshare.core.actors import Actor
from govshare.core.crypto import sm3_hex
from govshare.core.evidence.chain import append_records
from govshare.demo.sharing import gateway_credential
from govshare.exchange.connectors.sql import sources_dir
from govshare.exchange.gateway.app import create_app
from govshare.exchange.models import DeliveryRecord
from govshare.sharing.choices import RequestState
from govshare.sharing.models import AppCredential, Grant

Say = Callable[[str], None]

# Six weeks: the month before this one always has its whole traffic (its indicators).
HISTORY_DAYS = 45
END_USERS = ("刘人社", "王经办", "李窗口", "赵审核", "孙专员", "周受理")
# (HTTP status, error code, weight): what a week of calls looks like.
OUTCOMES = (
    (200, "", 90),
    (403, "item_not_granted", 3),
    (404, "resource_not_found", 2),
    (422, "invalid_parameters", 3),
    (429, "rate_limited", 1),
    (502, "upstream_failure", 1),
)


def load_traffic(actor: Actor, say: Say) -> None:
    grants = list(
        Grant.objects.filter(request__state=RequestState.ACTIVE)
        .select_related("request", "application", "consumer", "resource")
        .prefetch_related("items")
        .order_by("pk")
    )
    credential = gateway_credential(actor)
    grant = _example_grant(grants, credential[0] if credential else None)
    if credential and grant:
        _say_where(grant, *credential, say)
    if DeliveryRecord.objects.exists():
        say("traffic: the delivery log already has records")
        return
    history = _history(grants, random.Random(51))  # 国发〔2016〕51号
    append_records(DeliveryRecord, history)
    today = _calls_today(grant, *credential) if credential and grant else 0
    say(f"traffic: {len(history)} past calls over {HISTORY_DAYS} days, {today} calls today")


def _example_grant(grants: list[Grant], credential: AppCredential | None) -> Grant | None:
    """The README's gateway example: the example credential's query grant."""
    if credential is None:
        return None
    return next(
        (g for g in grants if g.application_id == credential.application_id and g.mode == "query"),
        None,
    )


def _say_where(grant: Grant, credential: AppCredential, secret: str, say: Say) -> None:
    say(
        f"gateway: app key {credential.app_key} secret {secret} may query "
        f"{grant.resource.name} at /gw/resources/{grant.resource_id}/query"
    )


def _history(grants: list[Grant], rng: random.Random) -> list[DeliveryRecord]:
    now = timezone.localtime()
    records = []
    for days_ago in range(HISTORY_DAYS, 0, -1):
        day = (now - dt.timedelta(days=days_ago)).replace(hour=8, minute=30, second=0)
        for grant in grants:
            calls = rng.randrange(15, 60) if day.weekday() < 5 else rng.randrange(0, 6)
            for _ in range(calls):
                at = day + dt.timedelta(seconds=rng.randrange(0, 9 * 3600))
                records.append(_record(grant, at, rng))
    records.sort(key=lambda record: record.created)
    return records


def _record(grant: Grant, at: dt.datetime, rng: random.Random) -> DeliveryRecord:
    status, code, _weight = rng.choices(OUTCOMES, weights=[o[2] for o in OUTCOMES])[0]
    items = [item.identifier for item in grant.items.all()]
    masked = [item.identifier for item in grant.items.all() if item.masking != "none"]
    served = status == 200
    rows = rng.choice((0, 1, 1, 1)) if served else 0
    body = {"rows": rows, "items": items} if served else {"code": code}
    return DeliveryRecord(
        created=at,
        request_id=f"{at:%Y%m%d}-{rng.randrange(10**6):06d}",
        application_id=grant.application_id,
        application_name=grant.application.name,
        consumer_id=grant.consumer_id,
        consumer_name=grant.consumer.name,
        provider_id=grant.provider_id,
        resource_id=grant.resource_id,
        resource_name=grant.resource.name,
        grant_id=grant.pk,
        share_request_number=grant.request.number,
        purpose=grant.request.purpose,
        app_key="",
        end_user=rng.choice(END_USERS),
        case_number=f"BJ{at:%Y%m%d}{rng.randrange(10**4):04d}",
        mode=grant.mode,
        items=items if served else [],
        masked=masked if served else [],
        row_count=rows,
        status=status,
        error_code=code,
        latency_ms=round(rng.uniform(2.0, 45.0), 3),
        body_digest=sm3_hex(json.dumps(body, sort_keys=True)),
        client_ip="10.37.7.21",
    )


def _calls_today(grant: Grant, credential: AppCredential, secret: str) -> int:
    """Real calls through the gateway with the example credential: lookups of people in the
    provider database, one not found, one asking for an item not granted."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Starlette's test client would rather have httpx2
        from starlette.testclient import TestClient

    people = _people()
    calls = 0
    with TestClient(create_app(), base_url="http://127.0.0.1") as client:
        token = client.post(
            "/gw/token", json={"app_key": credential.app_key, "app_secret": secret}
        ).json()["access_token"]
        for number, person in enumerate(people):
            headers = {
                "Authorization": f"Bearer {token}",
                "X-Request-Id": f"demo-{number:04d}",
                "X-Case-Number": f"SB{timezone.localdate():%Y%m%d}{number:04d}",
            }
            client.get(
                f"/gw/resources/{grant.resource_id}/query",
                params={"GMSFHM": person},
                headers=headers,
            )
            calls += 1
        client.get(  # no such person
            f"/gw/resources/{grant.resource_id}/query",
            params={"GMSFHM": "370702200001010000"},
            headers={"Authorization": f"Bearer {token}"},
        )
        client.get(  # not-granted item: refused, and recorded as refused
            f"/gw/resources/{grant.resource_id}/query",
            params={"GMSFHM": people[0], "items": "HJDZ"},
            headers={"Authorization": f"Bearer {token}"},
        )
        calls += 2
    return calls


def _people(count: int = 40) -> list[str]:
    path = sources_dir() / "demo_gaj_population.sqlite3"
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT gmsfhm FROM rk_jbxx ORDER BY rowid LIMIT ?", (count,))
        return [number for (number,) in rows]
