"""Hash chains (哈希链) for append-only evidence: the audit trail, and later the delivery log.

Each record stores the SM3 hash of its own canonical content, which includes the hash of the
record before it; a per-chain head row holds the last sequence number and hash. Appending locks the
head row, so records are numbered without gaps even with many writers; editing, deleting or
truncating any record breaks the chain at that point, and ``verify_chain`` names it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import connections, models, router, transaction

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

    def chained_content(self) -> dict[str, Any]:
        """The fields covered by the hash; subclasses list their own."""
        raise NotImplementedError

    def compute_hash(self) -> str:
        content = dict(self.chained_content(), seq=self.seq, prev_hash=self.prev_hash)
        return sm3_hex(canonical_json(content))


Chained = TypeVar("Chained", bound=HashChainedModel)


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
        ", ".join(quote(field.column) for field in fields),
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
    for record in model.objects.order_by("seq").iterator(chunk_size=chunk_size):
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
