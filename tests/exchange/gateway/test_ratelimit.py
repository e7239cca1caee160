"""Rate limits and quotas: counted per process, or shared through Redis by every process."""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

import pytest
import redis

from govshare.exchange.gateway.ratelimit import LocalLimiter, RedisLimiter, windows
from tests.exchange.gateway.conftest import start_gateway
from tests.exchange.gateway.factories import PEOPLE, grant
from tests.loops import run_coroutine

REDIS_URL = "redis://127.0.0.1:6379/15"
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return REDIS_URL


def hits(limiter, count: int, rate: int, quota: int, grant_id: int = 1) -> list[str | None]:
    async def run():
        try:
            return [(await limiter.hit(grant_id, rate, quota)).code for _ in range(count)]
        finally:
            await limiter.close()

    return run_coroutine(run())


def test_windows_end_at_the_next_minute_and_the_next_local_midnight():
    current = windows(TZ, now=1_767_196_799.5)  # 2025-12-31 23:59:59.5 in Shanghai
    assert current.day == "20251231" and current.minute_left == 1 and current.day_left == 1


def test_the_day_window_moves_at_local_midnight_whatever_order_times_are_asked_in():
    before = 1_767_196_799.5  # 2025-12-31 23:59:59.5 in Shanghai
    assert windows(TZ, now=before + 1).day == "20260101"  # the next local day
    assert windows(TZ, now=before).day == "20251231"  # and back: the kept day is not reused
    assert windows(TZ, now=before + 86_400).day_left == 1


def test_the_local_limiter_counts_rate_then_quota():
    assert hits(LocalLimiter(TZ), 3, rate=2, quota=100) == [None, None, "rate_limited"]
    assert hits(LocalLimiter(TZ), 3, rate=100, quota=2) == [None, None, "quota_exceeded"]


def test_redis_counters_are_shared_by_limiters_of_different_processes(redis_url):
    prefix = f"govshare:test:{uuid.uuid4().hex}"
    first, second = RedisLimiter(redis_url, TZ, prefix), RedisLimiter(redis_url, TZ, prefix)
    assert hits(first, 2, rate=3, quota=100) == [None, None]
    # another process sees the two calls already made this minute
    assert hits(second, 2, rate=3, quota=100) == [None, "rate_limited"]


def test_without_redis_the_limiter_falls_back_to_counting_in_process():
    limiter = RedisLimiter("redis://127.0.0.1:1/0", TZ)  # nothing listens on port 1
    assert hits(limiter, 3, rate=2, quota=100) == [None, None, "rate_limited"]


def test_the_gateway_limits_through_redis_when_configured(world, redis_url):
    grant(world, ["GMSFHM", "XM"], rate_per_minute=2)
    for running in start_gateway(redis_url=redis_url):
        running.gateway.limiter.prefix = f"govshare:test:{uuid.uuid4().hex}"
        token = running.token(world)
        answers = [
            running.call(
                "GET", f"/gw/resources/{world.ref}/query", token, params={"GMSFHM": PEOPLE[0][0]}
            )
            for _ in range(3)
        ]
        assert isinstance(running.gateway.limiter, RedisLimiter)
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert int(answers[2].headers["retry-after"]) >= 1
