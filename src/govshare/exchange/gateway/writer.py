"""The delivery-log writer (交付日志写入): group commit on the gateway's event loop.

A handler hands its record over and awaits it: the answer leaves only after the record is in the
database, so a process killed at any moment never leaves a delivered answer without its evidence.
Records handed over while the loop is busy go together in one transaction (group commit), on a
connection of the writer's own (``core.chain.ChainWriter``):

- into a SQLite file, by a callback the loop runs once per turn: the write blocks the loop for
  one short local transaction, which the waiting handlers would wait for anyway, whereas a
  writer thread made every call pay for passing the interpreter lock back and forth (measured:
  a third of the throughput);
- into PostgreSQL, a batch at a time on an asynchronous connection: the transaction mostly
  waits for round trips and the commit, and the loop serves other calls meanwhile (the same
  synchronous append, run through ``core.async_bridge``; a thread here made the loop and the
  thread take turns at the interpreter lock at every round trip).

When a write fails the writer turns unhealthy and the gateway fails closed: the waiting calls
answer 503 instead of their data (their records, which described answers never sent, give way to
records of the 503s), new calls are refused with 503, and the queued records are retried with
backoff (reconnecting if needed) until a write succeeds again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool

from govshare.core.async_bridge import greenlet_spawn
from govshare.core.chain import ChainWriter
from govshare.exchange.models import DeliveryRecord

logger = logging.getLogger("govshare.gateway")

MAX_BATCH = 500
FIRST_BACKOFF_S = 0.05
MAX_BACKOFF_S = 2.0
# Refusals recorded during an outage are held in memory up to this many; past it they are only
# counted in the application log (a call that got data always waits for its own record).
MAX_HELD_REFUSALS = 50_000

Record = Mapping[str, Any]


class DeliveryLogUnavailable(Exception):
    """The record could not be written; the call must not deliver its answer."""


@dataclass
class _Pending:
    record: Record
    future: asyncio.Future[None] | None


class DeliveryWriter:
    def __init__(self, max_batch: int = MAX_BATCH, store: ChainWriter | None = None) -> None:
        self.max_batch = max_batch
        self.store = store or ChainWriter(DeliveryRecord)
        self._queue: deque[_Pending] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scheduled = False
        self._healthy = True
        self._recovery: asyncio.Task[None] | None = None
        self._in_flight: asyncio.Task[None] | None = None
        self._backoff = FIRST_BACKOFF_S
        self._unrecorded = 0
        self.written = 0

    # --- the request side -----------------------------------------------------------------

    @property
    def is_healthy(self) -> bool:
        return self._healthy and self._loop is not None

    async def commit(self, record: Record) -> None:
        """Queue ``record`` and wait until it is committed; DeliveryLogUnavailable if not."""
        assert self._loop is not None, "the delivery writer is not started"
        future: asyncio.Future[None] = self._loop.create_future()
        self._queue.append(_Pending(record, future))
        self._schedule()
        await future

    def record_refusal(self, record: Record) -> None:
        """Queue the record of an answer that delivered nothing, without waiting for it."""
        if not self._healthy and len(self._queue) >= MAX_HELD_REFUSALS:
            self._unrecorded += 1
            return
        self._queue.append(_Pending(record, None))
        self._schedule()

    def _schedule(self) -> None:
        if not self._scheduled and self._healthy and self._loop is not None:
            self._scheduled = True
            self._loop.call_soon(self._flush)

    # --- life -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the store and serve this loop."""
        self._loop = asyncio.get_running_loop()
        try:
            await self._open()
        except Exception:
            logger.exception("gateway: the delivery log cannot be opened")
            self._become_unhealthy()

    async def stop(self) -> None:
        """Write what is queued (flush), then close the store."""
        if self._recovery is not None:
            self._recovery.cancel()
        if self._in_flight is not None:
            await self._in_flight
        while self._queue and self.store.is_open and await self._write_waiting(self._take()):
            pass
        if self._queue:
            logger.error("gateway: %d delivery records not written at shutdown", len(self._queue))
        if self.store.is_local_file:
            await run_in_threadpool(self.store.close_quietly)
        else:
            await greenlet_spawn(self.store.close_quietly)
        self._loop = None

    async def _open(self) -> None:
        if self.store.is_local_file:
            await run_in_threadpool(self.store.open)  # connecting blocks: not on the loop
        else:
            await self.store.open_on_loop()

    # --- writing --------------------------------------------------------------------------

    def _take(self) -> list[_Pending]:
        count = min(len(self._queue), self.max_batch)
        return [self._queue.popleft() for _ in range(count)]

    def _flush(self) -> None:
        self._scheduled = False
        if not self._queue or not self._healthy or self._in_flight is not None:
            return
        batch = self._take()
        if self.store.is_local_file:
            self._write(batch)
            if self._queue:
                self._schedule()
            return
        assert self._loop is not None
        self._in_flight = self._loop.create_task(self._write_in_flight(batch))

    async def _write_in_flight(self, batch: list[_Pending]) -> None:
        try:
            await self._write_waiting(batch)
        finally:
            self._in_flight = None
            if self._queue:
                self._schedule()

    def _write(self, batch: list[_Pending]) -> bool:
        """SQLite: append the batch here and now, blocking the loop for one short local
        transaction (the waiting handlers would wait for it anyway)."""
        try:
            self.store.append([pending.record for pending in batch])
        except Exception:
            return self._failed(batch)
        return self._written(batch)

    async def _write_waiting(self, batch: list[_Pending]) -> bool:
        """Append the batch; on PostgreSQL the transaction waits for the database on the loop
        (``greenlet_spawn``) while other calls are served and their records gather."""
        if self.store.is_local_file:
            return self._write(batch)
        try:
            await greenlet_spawn(self.store.append, [pending.record for pending in batch])
        except Exception:
            return self._failed(batch)
        return self._written(batch)

    def _written(self, batch: list[_Pending]) -> bool:
        self.written += len(batch)
        _settle(batch, None)
        return True

    def _failed(self, batch: list[_Pending]) -> bool:
        logger.exception("gateway: writing %d delivery records failed", len(batch))
        _settle([pending for pending in batch if pending.future is not None], "unavailable")
        held = [pending for pending in batch if pending.future is None]
        self._queue.extendleft(reversed(held))
        self._become_unhealthy()
        return False

    def _become_unhealthy(self) -> None:
        self._healthy = False
        if self._loop is not None and (self._recovery is None or self._recovery.done()):
            self._recovery = self._loop.create_task(self._recover())

    async def _recover(self) -> None:
        """Retry with backoff until the store opens and takes a batch; then serve again."""
        while not self._healthy:
            await asyncio.sleep(self._backoff)
            self._backoff = min(self._backoff * 2, MAX_BACKOFF_S)
            if not self.store.is_open:
                try:
                    await self._open()
                except Exception as error:
                    logger.warning("gateway: the delivery log is still unavailable: %s", error)
                    continue
            if self._queue and not await self._write_waiting(self._take()):
                continue
            self._healthy, self._backoff = True, FIRST_BACKOFF_S
            logger.warning("gateway: the delivery log is writable again; serving")
            if self._unrecorded:
                logger.error("gateway: %d refusals were not recorded", self._unrecorded)
                self._unrecorded = 0
        self._schedule()


def _settle(batch: Iterable[_Pending], error: str | None) -> None:
    for pending in batch:
        future = pending.future
        if future is None or future.done():
            continue  # a refusal nobody waits for, or a caller that went away (cancelled)
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(DeliveryLogUnavailable())
