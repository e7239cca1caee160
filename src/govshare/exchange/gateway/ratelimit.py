"""Rate limits of grants (限流与配额): calls per minute and calls per day.

Fixed windows: the current minute and the current local day (the node's time zone). With
GOVSHARE_REDIS_URL set, the counters live in Redis and are shared by every gateway process (one
atomic script, one round trip per call); otherwise, or while Redis cannot be reached, each
process counts on its own.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from govshare.exchange.gateway.clock import local_day
from govshare.exchange.gateway.errors import GatewayCode

logger = logging.getLogger("govshare.gateway")

MINUTE_KEY_SECONDS = 120
DAY_KEY_SECONDS = 2 * 86400
REDIS_TIMEOUT_S = 0.5
# Counts the minute first; a call refused by the rate does not use up the day's quota.
HIT_SCRIPT = """
local m = redis.call('INCR', KEYS[1])
if m == 1 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
if m > tonumber(ARGV[1]) then return 1 end
local d = redis.call('INCR', KEYS[2])
if d == 1 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
if d > tonumber(ARGV[2]) then return 2 end
return 0
"""


@dataclass(frozen=True)
class Verdict:
    code: GatewayCode | None = None
    retry_after: int = 0

    @property
    def is_allowed(self) -> bool:
        return self.code is None


class Limiter(Protocol):
    async def hit(self, grant_id: int, rate_per_minute: int, daily_quota: int) -> Verdict: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class Windows:
    minute: int
    day: str
    minute_left: int
    day_left: int


def windows(tz: ZoneInfo, now: float | None = None) -> Windows:
    now = time.time() if now is None else now
    day = local_day(tz, now)
    return Windows(
        minute=int(now // 60),
        day=day.key,
        minute_left=max(1, math.ceil(60 - now % 60)),
        day_left=max(1, math.ceil(day.ends - now)),
    )


def verdict_of(outcome: int, current: Windows) -> Verdict:
    if outcome == 1:
        return Verdict(GatewayCode.RATE_LIMITED, current.minute_left)
    if outcome == 2:
        return Verdict(GatewayCode.QUOTA_EXCEEDED, current.day_left)
    return Verdict()


class LocalLimiter:
    """Counters of this process only."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._minute: dict[int, tuple[int, int]] = {}
        self._day: dict[int, tuple[str, int]] = {}
        self._lock = threading.Lock()

    def hit_now(self, grant_id: int, rate_per_minute: int, daily_quota: int) -> Verdict:
        current = windows(self.tz)
        with self._lock:
            minute, calls = self._minute.get(grant_id, (current.minute, 0))
            calls = calls + 1 if minute == current.minute else 1
            self._minute[grant_id] = (current.minute, calls)
            if calls > rate_per_minute:
                return verdict_of(1, current)
            day, used = self._day.get(grant_id, (current.day, 0))
            used = used + 1 if day == current.day else 1
            self._day[grant_id] = (current.day, used)
            return verdict_of(2 if used > daily_quota else 0, current)

    async def hit(self, grant_id: int, rate_per_minute: int, daily_quota: int) -> Verdict:
        return self.hit_now(grant_id, rate_per_minute, daily_quota)

    async def close(self) -> None:
        return None


class RedisLimiter:
    """Counters shared through Redis; falls back to this process's counters while it is down."""

    def __init__(self, url: str, tz: ZoneInfo, prefix: str = "govshare:gw") -> None:
        import redis.asyncio as redis

        self.tz = tz
        self.prefix = prefix
        self.client: Any = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
        )
        self.script = self.client.register_script(HIT_SCRIPT)
        self.fallback = LocalLimiter(tz)
        self._failing = False

    async def hit(self, grant_id: int, rate_per_minute: int, daily_quota: int) -> Verdict:
        current = windows(self.tz)
        keys = [
            f"{self.prefix}:rate:{grant_id}:{current.minute}",
            f"{self.prefix}:quota:{grant_id}:{current.day}",
        ]
        args = [rate_per_minute, daily_quota, MINUTE_KEY_SECONDS, DAY_KEY_SECONDS]
        try:
            outcome = int(await asyncio.wait_for(self.script(keys=keys, args=args), 1.0))
        except (TimeoutError, OSError, Exception) as error:  # redis errors, timeouts
            if not self._failing:
                logger.warning("gateway: Redis unavailable (%s); counting per process", error)
                self._failing = True
            return self.fallback.hit_now(grant_id, rate_per_minute, daily_quota)
        if self._failing:
            logger.warning("gateway: Redis is back; counting shared again")
            self._failing = False
        return verdict_of(outcome, current)

    async def close(self) -> None:
        await self.client.aclose()


def make_limiter(redis_url: str, tz_name: str, prefix: str) -> Limiter:
    tz = ZoneInfo(tz_name)
    if redis_url:
        return RedisLimiter(redis_url, tz, prefix)
    return LocalLimiter(tz)
