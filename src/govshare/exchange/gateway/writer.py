"""The delivery-log writer (交付日志写入): one thread per process group-commits records.

A handler hands its record over and awaits it: the answer leaves only after the record is in the
database, so a process killed at any moment never leaves a delivered answer without its evidence.
Records queue up while a batch is being written and go together in the next one (group commit:
one transaction and one chain-head update for up to ``max_batch`` records).

When a write fails the writer turns unhealthy and the gateway fails closed: the waiting calls
answer 503 instead of their data (their records, which described answers never sent, give way to
records of the 503s), new calls are refused with 503, and the queued records are retried with
backoff until a write succeeds again.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connections

logger = logging.getLogger("govshare.gateway")

MAX_BATCH = 500
FIRST_BACKOFF_S = 0.05
MAX_BACKOFF_S = 2.0
# Refusals recorded during an outage are held in memory up to this many; past it they are only
# counted in the application log (a call that got data always waits for its own record).
MAX_HELD_REFUSALS = 50_000


class DeliveryLogUnavailable(Exception):
    """The record could not be written; the call must not deliver its answer."""


@dataclass
class _Pending:
    record: Any
    loop: asyncio.AbstractEventLoop | None
    future: asyncio.Future[None] | None


def _default_append(records: list[Any]) -> None:
    # Looked up per call so tests can replace govshare.core.chain.append_records.
    from govshare.core import chain
    from govshare.exchange.models import DeliveryRecord

    chain.append_records(DeliveryRecord, records)


class DeliveryWriter:
    def __init__(
        self,
        max_batch: int = MAX_BATCH,
        append: Callable[[list[Any]], None] | None = None,
    ) -> None:
        self.max_batch = max_batch
        self._append = append or _default_append
        self._queue: deque[_Pending] = deque()
        self._cond = threading.Condition()
        self._healthy = True
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._backoff = FIRST_BACKOFF_S
        self._unrecorded = 0
        self.written = 0

    # --- the request side -----------------------------------------------------------------

    @property
    def is_healthy(self) -> bool:
        thread = self._thread
        return self._healthy and thread is not None and thread.is_alive()

    async def commit(self, record: Any) -> None:
        """Queue ``record`` and wait until it is committed; DeliveryLogUnavailable if not."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._put(_Pending(record, loop, future))
        await future

    def record_refusal(self, record: Any) -> None:
        """Queue the record of an answer that delivered nothing, without waiting for it."""
        with self._cond:
            if not self._healthy and len(self._queue) >= MAX_HELD_REFUSALS:
                self._unrecorded += 1
                return
        self._put(_Pending(record, None, None))

    def _put(self, pending: _Pending) -> None:
        with self._cond:
            self._queue.append(pending)
            self._cond.notify()

    # --- life -----------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="gateway-deliveries", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is queued (flush), then end the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._queue:
            logger.error("gateway: %d delivery records not written at shutdown", len(self._queue))

    # --- the writer thread ----------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    while not self._queue and not self._stopping:
                        self._cond.wait()
                    if not self._queue:
                        return
                    count = min(len(self._queue), self.max_batch)
                    batch = [self._queue.popleft() for _ in range(count)]
                if not self._write(batch) and self._stopping:
                    return
        finally:
            connections.close_all()

    def _write(self, batch: list[_Pending]) -> bool:
        try:
            self._append([pending.record for pending in batch])
        except Exception:
            logger.exception("gateway: writing %d delivery records failed", len(batch))
            self._fail(batch)
            return False
        self.written += len(batch)
        if not self._healthy:
            logger.warning("gateway: the delivery log is writable again; serving")
            if self._unrecorded:
                logger.error("gateway: %d refusals were not recorded", self._unrecorded)
                self._unrecorded = 0
        self._healthy, self._backoff = True, FIRST_BACKOFF_S
        _settle(batch, None)
        return True

    def _fail(self, batch: list[_Pending]) -> None:
        self._healthy = False
        connections.close_all()  # a broken connection is not reused
        waiting = [pending for pending in batch if pending.future is not None]
        held = [pending for pending in batch if pending.future is None]
        _settle(waiting, DeliveryLogUnavailable())
        for pending in held:
            _reset(pending.record)
        with self._cond:
            self._queue.extendleft(reversed(held))
        time.sleep(self._backoff)
        self._backoff = min(self._backoff * 2, MAX_BACKOFF_S)


def _reset(record: Any) -> None:
    """Make a record from a rolled-back batch insertable again."""
    record.pk = None
    record._state.adding = True


def _settle(batch: Iterable[_Pending], error: BaseException | None) -> None:
    """Resolve the waiting futures: one wake-up per event loop, not one per record."""
    by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
    for pending in batch:
        if pending.loop is not None and pending.future is not None:
            by_loop.setdefault(pending.loop, []).append(pending.future)
    for loop, futures in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve, futures, error)
        except RuntimeError:
            pass  # the loop is closed: nobody is waiting any more


def _resolve(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for future in futures:
        if future.done():
            continue  # the caller went away (cancelled)
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(type(error)())  # one instance each: tracebacks attach to it
