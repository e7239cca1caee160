"""The gateway's source boundary (source.py): the endpoints reach a provider's data only through a
``Source``, so a gateway given another one serves its rows, still checked, masked and recorded,
and answers its refusals like any other (issue 12, item 5)."""

from __future__ import annotations

from typing import Any

from govshare.exchange.gateway.errors import GatewayCode, GatewayError
from govshare.exchange.gateway.records import Call
from govshare.exchange.models import DeliveryRecord
from tests.exchange.gateway.conftest import start_gateway
from tests.exchange.gateway.factories import PEOPLE, grant

ZHANG = PEOPLE[0][0]


class StandInSource:
    """A source that answers from memory and remembers what it was asked."""

    def __init__(self, answer: Any = None, error: GatewayError | None = None) -> None:
        self.answer, self.error = answer, error
        self.asked: list[tuple[str, str, tuple[Any, ...]]] = []
        self.closed = False

    async def fetch(self, call: Call, method: str, *args: Any) -> Any:
        self.asked.append((call.mode, method, args))
        if self.error is not None:
            raise self.error
        return self.answer

    async def close(self) -> None:
        self.closed = True


def query(world: Any, source: StandInSource) -> Any:
    """A query through a gateway given ``source``, stopped (its lifespan ended) before returning."""
    grant(world, ["GMSFHM", "XM", "XBDM"])
    gateway = start_gateway(redis_url="", source=source)
    running = next(gateway)
    try:
        running.refresh()
        token = running.token(world)
        path = f"/gw/resources/{world.ref}/query"
        return running.call("GET", path, token, params={"GMSFHM": ZHANG})
    finally:
        gateway.close()


def test_a_gateway_serves_the_rows_of_the_source_it_is_given(world):
    # given a source whose row holds more than the grant covers
    source = StandInSource([{"GMSFHM": ZHANG, "XM": "张三", "XBDM": "1", "LXDH": "13812345678"}])

    # when a query is made
    response = query(world, source)

    # then the source was asked for the key and the granted items, and its row is delivered
    # with exactly those items, masked as granted; the gateway let the source go when it stopped
    assert response.status_code == 200, response.text
    assert response.json()["rows"] == [{"GMSFHM": "370702********1234", "XM": "张*", "XBDM": "1"}]
    [(mode, method, args)] = source.asked
    assert (mode, method) == ("query", "query")
    assert args[0] == {"GMSFHM": [ZHANG]} and args[1] == ["GMSFHM", "XM", "XBDM"]
    assert source.closed


def test_a_refusal_of_the_source_is_answered_and_recorded(world):
    # given a source that times out
    source = StandInSource(error=GatewayError(GatewayCode.UPSTREAM_TIMEOUT))

    # when a query is made
    response = query(world, source)

    # then the caller gets the gateway's answer for it, and the delivery log has its record
    assert response.json()["code"] == GatewayCode.UPSTREAM_TIMEOUT
    record = DeliveryRecord.objects.get(request_id=response.headers["X-Request-Id"])
    assert (record.status, record.error_code) == (response.status_code, "upstream_timeout")
