"""The delivery-log writer (交付日志写入): group commit on the gateway's event loop.

A handler hands its record over and awaits it: the answer leaves only after the record is in the
database, so a process killed at any moment never leaves a delivered answer without its evidence.
Records handed over while the loop is busy go together in one transaction (group commit), on a
connection of the writer's own (``core.evidence.chain.ChainWriter``):

- into a SQLite file, by a callback the loop runs once per turn: the write blocks the loop for
  one short local transaction, which the waiting handlers would wait for anyway, whereas a
  writer thread made every call pay for passing the interpreter lock back and forth (measured:
  a third of the throughput);
- into PostgreSQL, a batch at a time on an asynchronous connection: the transaction mostly
  waits for round trips and the commit, and the loop serves other calls meanwhile (the same
  synchronous append, run through ``core.async_bridge``; a thread here made the loop and the
  thread take turns at the interpreter lock at every round trip).

When a batch fails, the fault is either one record's or the log's (issue #11, item 1: one record
holding a lone surrogate could not be hashed, and stopped the gateway until restart). The batch is
split in halves until each bad record stands alone (``_append_isolating``); a bad record is set
aside — its content, escaped, appended to a quarantine file under var/, an error logged, a count
shown by /gw/health — and a substitute takes its place in the chain: its values escaped and cut
to their columns, its error code naming the fault. The rest of the batch is written as usual.

Only when the log itself is unwritable (the substitute fails too, or the connection is gone) does
the writer turn unhealthy and the gateway fail closed: the waiting calls answer 503 instead of
their data (their records, which described answers never sent, give way to records of the 503s),
new calls are refused with 503, and the queued records are retried with backoff (reconnecting if
needed) until a write succeeds again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import math
import os
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone
from starlette.concurrency import run_in_threadpool

from govshare.core.async_bridge import greenlet_spawn
from govshare.core.evidence.chain import ChainWriter
from govshare.core.text import escaped
from govshare.exchange.models import DeliveryRecord

logger = logging.getLogger("govshare.gateway")

MAX_BATCH = 500
FIRST_BACKOFF_S = 0.05
MAX_BACKOFF_S = 2.0
# Refusals recorded during an outage are held in memory up to this many; past it they are only
# counted in the application log (a call that got data always waits for its own record).
MAX_HELD_REFUSALS = 50_000

# Where set-aside records are kept (under settings.VAR_DIR), one JSON line each, append-only.
QUARANTINE_FILE = Path("quarantine") / "deliveries.jsonl"
MAX_SUBSTITUTE_ITEMS = 100
FAULT_CODE_PREFIX = "unwritable:"

Record = Mapping[str, Any]


class DeliveryLogUnavailable(Exception):
    """The record could not be written; the call must not deliver its answer."""


@dataclass
class _Pending:
    record: Record
    future: asyncio.Future[None] | None


class _LogUnwritable(Exception):
    """The log itself failed (not one record): the gateway fails closed."""


@dataclass
class _Outcome:
    """What became of a batch: written as given, set aside (a substitute written in its
    place, with the fault), or not written because the log is unwritable."""

    written: list[_Pending] = field(default_factory=list)
    set_aside: list[tuple[_Pending, BaseException]] = field(default_factory=list)
    unwritten: list[_Pending] = field(default_factory=list)


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
        self.set_aside = 0  # records kept aside since start (shown by /gw/health)

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
        return self._settle_outcome(self._append_isolating(batch))

    async def _write_waiting(self, batch: list[_Pending]) -> bool:
        """Append the batch; on PostgreSQL the transaction waits for the database on the loop
        (``greenlet_spawn``) while other calls are served and their records gather."""
        if self.store.is_local_file:
            return self._write(batch)
        try:
            outcome = await greenlet_spawn(self._append_isolating, batch)
        except Exception:
            logger.exception("gateway: writing %d delivery records failed", len(batch))
            outcome = _Outcome(unwritten=batch)
        return self._settle_outcome(outcome)

    # --- isolating a bad record -----------------------------------------------------------

    def _append_isolating(self, batch: list[_Pending]) -> _Outcome:
        """Append ``batch``; a part that fails is halved until the bad records stand alone,
        each replaced by its substitute. Stops at the first sign that the log is unwritable."""
        outcome = _Outcome()
        try:
            self._append_part(batch, outcome)
        except _LogUnwritable as error:
            logger.error("gateway: writing delivery records failed", exc_info=error.__cause__)
            done = {id(pending) for pending in outcome.written}
            done.update(id(pending) for pending, _fault in outcome.set_aside)
            outcome.unwritten = [pending for pending in batch if id(pending) not in done]
        return outcome

    def _append_part(self, part: list[_Pending], outcome: _Outcome) -> None:
        try:
            self.store.append([pending.record for pending in part])
        except Exception as error:
            if not self.store.is_open:  # the connection broke: not the records' fault
                raise _LogUnwritable from error
            if len(part) > 1:
                middle = len(part) // 2
                self._append_part(part[:middle], outcome)
                self._append_part(part[middle:], outcome)
                return
            # One record alone failed: its fault, if its substitute can be written.
            try:
                self.store.append([substitute(part[0].record, error, self.store.fields)])
            except Exception as again:
                raise _LogUnwritable from again
            outcome.set_aside.append((part[0], error))
            return
        outcome.written.extend(part)

    def _settle_outcome(self, outcome: _Outcome) -> bool:
        for pending, fault in outcome.set_aside:
            self._keep_aside(pending.record, fault)
        done = [*outcome.written, *(pending for pending, _fault in outcome.set_aside)]
        self.written += len(done)
        _settle(done, None)  # a substitute is the call's record: its answer may leave
        return self._failed(outcome.unwritten) if outcome.unwritten else True

    def _keep_aside(self, record: Record, fault: BaseException) -> None:
        """Alarm, and append the record's content (escaped by JSON) to the quarantine file."""
        self.set_aside += 1
        logger.error(
            "gateway: delivery record %s could not be written (%s); a substitute was written "
            "and the record kept in %s",
            escaped(str(record.get("request_id", "")), 64),
            fault_summary(fault),
            QUARANTINE_FILE,
        )
        kept = {"kept": timezone.now().isoformat(), "fault": fault_summary(fault)}
        # ensure_ascii (the default): lone surrogates too are written as \u escapes
        line = json.dumps({**kept, "record": dict(record)}, default=str)
        try:
            append_line(Path(settings.VAR_DIR) / QUARANTINE_FILE, line)
        except OSError:
            logger.exception("gateway: the quarantine file cannot be written")

    def _failed(self, batch: list[_Pending]) -> bool:
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


# --- substitutes and the quarantine file ---------------------------------------------------


def substitute(record: Record, fault: BaseException, fields: list[models.Field]) -> dict[str, Any]:
    """A record that can be written in place of ``record``: every text escaped and cut to its
    column, numbers in their column's range, lists of escaped text; the error code names the
    fault (``unwritable:UnicodeEncodeError``). Everything else is kept as it was."""
    values = {column.attname: _storable(column, record.get(column.attname)) for column in fields}
    values["error_code"] = f"{FAULT_CODE_PREFIX}{type(fault).__name__}"[:40]
    return values


def fault_summary(fault: BaseException) -> str:
    """What went wrong, without the record's content (a UnicodeError's message holds the whole
    text it failed on: the record, personal data included, does not belong in the node's log)."""
    if isinstance(fault, UnicodeError):
        return f"{type(fault).__name__}: {getattr(fault, 'reason', '')}"
    return escaped(f"{type(fault).__name__}: {fault}", 300)


def _storable(column: models.Field, value: Any) -> Any:
    if isinstance(column, models.CharField | models.TextField):
        return escaped("" if value is None else str(value), column.max_length)
    if isinstance(column, models.JSONField):
        given = value if isinstance(value, list) else []
        return [escaped(str(entry), 64) for entry in given[:MAX_SUBSTITUTE_ITEMS]]
    if isinstance(column, models.IntegerField):
        return _in_range(column, value)
    if isinstance(column, models.FloatField):
        return float(value) if isinstance(value, int | float) and math.isfinite(value) else 0.0
    if isinstance(column, models.DateTimeField):
        return value if isinstance(value, dt.datetime) and value.tzinfo else timezone.now()
    return value


def _in_range(column: models.Field, value: Any) -> int | None:
    low, high = BaseDatabaseOperations.integer_field_ranges[column.get_internal_type()]
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    return None if column.null else 0


def append_line(path: Path, line: str) -> None:
    """Append one line to ``path`` (created 0600: it may hold personal data), in one write."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, (line + "\n").encode("ascii"))
    finally:
        os.close(descriptor)
