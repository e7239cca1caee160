"""Hash chains (哈希链) for append-only evidence: the audit trail, and later the delivery log.

Each record stores the SM3 hash of its own canonical content, which includes the hash of the
record before it; a per-chain head row holds the last sequence number and hash. Appending locks the
head row, so records are numbered without gaps even with many writers; editing, deleting or
truncating any record breaks the chain at that point, and ``verify_chain`` names it — unless the
editor also recomputes the later hashes and the head, which SM3 without a key cannot prevent:
the node's signed checkpoints (core/evidence/checkpoints.py) and the tables' triggers
(core/evidence/append_only.py) close that gap.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction

from govshare.core.async_bridge import BridgedConnection, greenlet_spawn
from govshare.core.crypto import sm3_hex

GENESIS_HASH = "0" * 64


class ChainHead(models.Model):
    """The tip of one hash chain: last sequence number and hash."""

    name = models.CharField(max_length=32, primary_key=True)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        app_label = "core"

    def __str__(self) -> str:
        return f"{self.name} #{self.last_seq}"


class HashChainedModel(models.Model):
    """Abstract base for chained, append-only records."""

    chain_name: str = ""
    chain_title: str = ""  # how the CLI names it ("delivery log"); default "<name> chain"
    seq = models.BigIntegerField(unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        abstract = True
        ordering = ["seq"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionDenied("chained records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionDenied("chained records are append-only")

    @classmethod
    def content_of(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """The content covered by the hash, from field values by attname; subclasses list
        their fields. A mapping rather than an instance, so writers may skip the model."""
        raise NotImplementedError

    def chained_content(self) -> dict[str, Any]:
        return self.content_of(self.__dict__)

    def compute_hash(self) -> str:
        return record_hash(self.chained_content(), self.seq, self.prev_hash)


Chained = TypeVar("Chained", bound=HashChainedModel)


def chained_models() -> dict[str, type[HashChainedModel]]:
    """The installed apps' hash chains by name (core names none of the domains' models)."""
    return {
        model.chain_name: model
        for model in apps.get_models()
        if issubclass(model, HashChainedModel)
    }


def record_hash(content: Mapping[str, Any], seq: int, prev_hash: str) -> str:
    """SM3 of a record's canonical content with its place in the chain."""
    return sm3_hex(canonical_json(dict(content, seq=seq, prev_hash=prev_hash)))


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no whitespace, UTF-8 text, datetimes in UTC."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
    )


def canonical_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return canonical_time(value)
    raise TypeError(f"not JSON-serialisable in a chained record: {type(value).__name__}")


def append_records(model: type[Chained], records: Iterable[Chained]) -> list[Chained]:
    """Number, link, hash and insert ``records`` at the tip of ``model``'s chain, atomically."""
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().filter(name=model.chain_name).first()
        if head is None:
            ChainHead.objects.get_or_create(name=model.chain_name)
            head = ChainHead.objects.select_for_update().get(name=model.chain_name)
        batch = list(records)
        for record in batch:
            record.seq = head.last_seq + 1
            record.prev_hash = head.last_hash
            record.hash = record.compute_hash()
            head.last_seq, head.last_hash = record.seq, record.hash
        _insert(model, batch)
        head.save(update_fields=["last_seq", "last_hash"])
    return batch


def _insert(model: type[Chained], records: list[Chained]) -> None:
    """One INSERT run with executemany, without the ORM's per-value compiler.

    The gateway appends a record per call (the delivery log), so this is on its hot path;
    chained records hold plain values the code built itself, and only JSON, dates and
    addresses need the backend's adaptation. Primary keys are not read back.
    """
    connection = connections[router.db_for_write(model)]
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField | models.BigAutoField))
    ]
    adapters = [_adapter(field, connection) for field in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(_column(field)) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = [
        [
            adapt(getattr(record, field.attname))
            for field, adapt in zip(fields, adapters, strict=True)
        ]
        for record in records
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    for record in records:
        record._state.adding = False
        record._state.db = connection.alias


def _column(field: models.Field) -> str:
    """A concrete field's column; django-stubs types ``column`` as optional for all fields."""
    if field.column is None:
        raise ValueError(f"{field.name} has no column")  # concrete fields always have one
    return field.column


def _adapter(field: models.Field, connection: Any) -> Any:
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else ops.adapt_json_value(value, field.encoder)
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.GenericIPAddressField):
        return ops.adapt_ipaddressfield_value
    return _same


def _same(value: Any) -> Any:
    return value


# Values per INSERT statement: SQLite (3.32+) takes 32,766 bound parameters, PostgreSQL 65,535.
MAX_INSERT_PARAMS = 30_000
SQLITE_CACHE_KIB = 65_536


class ChainWriter:
    """Appends records, given as field values by attname, on a database connection of its own.

    For a writer that cannot use Django's connections: the gateway appends its delivery records
    from its event loop, where the ORM refuses to run, and with no thread to hand them to (each
    hand-off between threads cost the event loop its interpreter lock). ``open`` connects and
    must be called outside the event loop; ``append`` then runs one short transaction per batch:
    lock the chain head, number, link and hash the records, insert them in one statement per
    30,000 values, move the head. Records hash exactly as ``append_records`` hashes them.
    """

    def __init__(self, model: type[HashChainedModel], alias: str = DEFAULT_DB_ALIAS) -> None:
        self.model = model
        self.alias = alias
        self.fields = _insert_fields(model)
        self._wrapper: Any = None  # Django's backend, when connected through it
        self._connection: Any = None  # a DB-API connection, or a bridged asynchronous one

    def open(self) -> None:
        """Connect through Django's backend (outside the event loop: connecting blocks)."""
        wrapper = connections.create_connection(self.alias)
        wrapper.connect()
        wrapper.inc_thread_sharing()  # opened in one thread, used and closed in others
        self._prepare(wrapper)
        self._connection = wrapper.connection
        self._wrapper = wrapper
        self._start()

    async def open_on_loop(self) -> None:
        """PostgreSQL: connect asynchronously; then ``append`` and ``close`` are to be called
        inside ``greenlet_spawn`` on this loop, and wait for the database without a thread."""
        wrapper = connections.create_connection(self.alias)
        params = wrapper.get_connection_params()
        params.pop("cursor_factory", None)  # Django's is a synchronous cursor class
        connection = await psycopg.AsyncConnection.connect(**params, autocommit=True)
        self._prepare(wrapper)
        self._connection = BridgedConnection(connection)
        await greenlet_spawn(self._start)

    def _prepare(self, wrapper: Any) -> None:
        """Adapters and statements for the backend (vendor, quoting, placeholders)."""
        self._adapt = [(field.attname, _adapter(field, wrapper)) for field in self.fields]
        marker = "?" if wrapper.vendor == "sqlite" else "%s"
        self._begin = "BEGIN IMMEDIATE" if wrapper.vendor == "sqlite" else "BEGIN"
        quote = wrapper.ops.quote_name
        head = quote(ChainHead._meta.db_table)
        lock = "" if wrapper.vendor == "sqlite" else " FOR UPDATE"
        self._read_head = f"SELECT last_seq, last_hash FROM {head} WHERE name = {marker}{lock}"
        self._move_head = (
            f"UPDATE {head} SET last_seq = {marker}, last_hash = {marker} WHERE name = {marker}"
        )
        self._new_head = (
            f"INSERT INTO {head} (name, last_seq, last_hash) VALUES ({marker}, 0, {marker}) "
            "ON CONFLICT (name) DO NOTHING"
        )
        columns = [*(_column(field) for field in self.fields), "seq", "prev_hash", "hash"]
        table, names = quote(self.model._meta.db_table), ", ".join(map(quote, columns))
        self._insert_head = f"INSERT INTO {table} ({names}) VALUES "
        self._copy_sql = f"COPY {table} ({names}) FROM STDIN"
        self._row_sql = "(" + ", ".join([marker] * len(columns)) + ")"
        self._rows_per_insert = max(1, MAX_INSERT_PARAMS // len(columns))

    def _start(self) -> None:
        cursor = self._connection.cursor()
        if self.is_local_file:
            # A writer revisits the same index pages batch after batch: keep them in memory
            # (64 MiB instead of SQLite's 2 MiB) rather than reading them back each time.
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        cursor.execute(self._new_head, [self.model.chain_name, GENESIS_HASH])  # if it is new
        cursor.close()

    @property
    def is_open(self) -> bool:
        return self._connection is not None

    @property
    def is_local_file(self) -> bool:
        """SQLite: appending costs CPU, not round trips."""
        return connections.settings[self.alias]["ENGINE"].endswith("sqlite3")

    def close(self) -> None:
        connection, wrapper = self._connection, self._wrapper
        self._connection = self._wrapper = None
        if wrapper is not None:
            wrapper.close()
        elif connection is not None:
            connection.close()

    def append(self, rows: list[Mapping[str, Any]]) -> None:
        """Append ``rows`` in one transaction; on any error nothing of the batch is written."""
        if self._connection is None:
            raise RuntimeError("the chain writer is not open")
        cursor = self._connection.cursor()
        try:
            cursor.execute(self._begin)
            cursor.execute(self._read_head, [self.model.chain_name])
            seq, last_hash = cursor.fetchone()
            values: list[Any] = []
            for row in rows:
                seq += 1
                record = record_hash(self.model.content_of(row), seq, last_hash)
                values += [adapt(row[name]) for name, adapt in self._adapt]
                values += [seq, last_hash, record]
                last_hash = record
            self._insert(cursor, values, len(rows))
            cursor.execute(self._move_head, [seq, last_hash, self.model.chain_name])
            cursor.execute("COMMIT")
        except BaseException:
            self._rollback(cursor)
            raise
        finally:
            cursor.close()

    def _insert(self, cursor: Any, values: list[Any], count: int) -> None:
        """SQLite: one multi-row INSERT per 30,000 values. PostgreSQL: COPY, one stream for the
        batch (Django's client-side binding would parse a long multi-row INSERT anew for every
        batch, and row-by-row INSERTs cost a round trip each)."""
        width = len(values) // count
        if not self.is_local_file:
            with cursor.copy(self._copy_sql) as copy:
                for start in range(0, len(values), width):
                    copy.write_row(values[start : start + width])
            return
        step = self._rows_per_insert
        for start in range(0, count, step):
            rows = min(step, count - start)
            sql = self._insert_head + ", ".join([self._row_sql] * rows)
            cursor.execute(sql, values[start * width : (start + rows) * width])

    def _rollback(self, cursor: Any) -> None:
        try:
            cursor.execute("ROLLBACK")
        except Exception:  # the connection itself is broken: start afresh on the next batch
            self.close_quietly()

    def close_quietly(self) -> None:
        try:
            self.close()
        except Exception:
            self._connection = self._wrapper = None


def _insert_fields(model: type[models.Model]) -> list[models.Field]:
    """The columns an insert writes: all but an automatic primary key and the chain's own."""
    chain_columns = {"seq", "prev_hash", "hash"}
    return [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField | models.BigAutoField))
        and field.attname not in chain_columns
    ]


@dataclass(frozen=True)
class ChainReport:
    """Outcome of walking a chain; ``broken_seq`` is the first record that fails."""

    chain: str
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def is_intact(self) -> bool:
        return self.broken_seq is None


def verify_chain(model: type[HashChainedModel], chunk_size: int = 2000) -> ChainReport:
    """Walk the chain in order; report the first gap, broken link or altered record."""
    head = ChainHead.objects.filter(name=model.chain_name).first()
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for record in model._default_manager.order_by("seq").iterator(chunk_size=chunk_size):
        problem = _record_problem(record, expected_seq, expected_prev)
        if problem:
            return ChainReport(model.chain_name, checked, record.seq, problem)
        expected_prev, expected_seq, checked = record.hash, record.seq + 1, checked + 1
    last_seq = head.last_seq if head else 0
    last_hash = head.last_hash if head else GENESIS_HASH
    if last_seq != expected_seq - 1 or last_hash != expected_prev:
        return ChainReport(model.chain_name, checked, expected_seq, "records missing at the end")
    return ChainReport(model.chain_name, checked)


def _record_problem(record: HashChainedModel, expected_seq: int, expected_prev: str) -> str:
    if record.seq != expected_seq:
        return f"sequence gap: expected {expected_seq}"
    if record.prev_hash != expected_prev:
        return "link to the previous record does not match"
    if record.compute_hash() != record.hash:
        return "content does not match its hash (record altered)"
    return ""


def json_safe(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Round-trip through JSON so the stored value hashes the same after reading it back."""
    if value is None:
        return None
    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))
