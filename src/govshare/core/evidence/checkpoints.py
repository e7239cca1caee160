"""Signed checkpoints (签名检查点) of the hash chains: evidence that survives a database writer.

A hash chain alone proves nothing to someone who can rewrite it: SM3 has no key, so whoever can
write to the database can delete the last records and step the head back, or change a record and
recompute every later hash (issue #11 item 4). So the node signs its chain heads: a checkpoint is
``{chain, seq, hash, time, key_id, node}`` as canonical JSON, SM2-signed with the node's key
(core/evidence/signing.py), appended to a store outside the database. ``govshare audit
checkpoint`` takes them at a fixed interval (``govshare run`` starts it) and once more on
shutdown; ``govshare audit verify`` checks the chain against them. Once a checkpoint covers
record #n, no edit of records #1..#n can go unnoticed without the node's private key.

The local store is an append-only JSON-lines file per chain (``<GOVSHARE_CHECKPOINT_DIR>/<chain>
.jsonl``, mode 0600, fsync'd). Stores sit behind ``CheckpointStore`` so the node cascade can add
its parent node, who countersigns, as a second one (``register_checkpoint_store``).

When the store holds no checkpoint for records, verification warns while the records are younger
than two checkpoint intervals (the checkpointer has not had its turn yet) and fails after that:
by then a checkpoint was expected, and its absence means the store was removed or cut, or no
checkpointer ran (take one with ``govshare audit checkpoint`` after maintenance done while the
node was stopped).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govshare.core.evidence.chain import ChainHead, HashChainedModel, canonical_json, canonical_time
from govshare.core.evidence.durable import sync_directory, write_all
from govshare.core.evidence.signing import NodeKey, NodeKeyError, PublicKey, known_public_keys
from govshare.core.registry import Registry

logger = logging.getLogger(__name__)

CHAIN_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
TAIL_BYTES = 16_384  # enough for the last few lines (a checkpoint line is ~420 bytes)
RECORD_LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class Checkpoint:
    """One signed statement: at ``time`` the chain's record #``seq`` carried ``hash``."""

    chain: str
    seq: int
    hash: str
    time: str
    key_id: str
    node: str
    signature: str = ""  # hex of the DER SM2 signature over ``payload()``

    def payload(self) -> bytes:
        """What is signed: the canonical JSON of every field but the signature."""
        fields = asdict(self)
        del fields["signature"]
        return canonical_json(fields).encode("utf-8")

    def signed(self, key: NodeKey) -> Checkpoint:
        unsigned = replace(self, key_id=key.key_id)
        return replace(unsigned, signature=key.sign(unsigned.payload()).hex())

    def verifies_under(self, key: PublicKey) -> bool:
        try:
            signature = bytes.fromhex(self.signature)
        except ValueError:
            return False
        return key.verify(self.payload(), signature)

    def to_line(self) -> str:
        return canonical_json(asdict(self))

    @classmethod
    def from_line(cls, line: str) -> Checkpoint:
        """Parse a stored line; ValueError when it is not a checkpoint."""
        values = json.loads(line)
        if not isinstance(values, dict) or set(values) != set(CHECKPOINT_KEYS):
            raise ValueError(f"not the fields {', '.join(CHECKPOINT_KEYS)}")
        texts = [values[name] for name in CHECKPOINT_KEYS if name != "seq"]
        if type(values["seq"]) is not int or not all(isinstance(text, str) for text in texts):
            raise ValueError("a field of the wrong type")
        return cls(**values)


CHECKPOINT_KEYS = ("chain", "seq", "hash", "time", "key_id", "node", "signature")


@dataclass(frozen=True)
class StoredLine:
    """A line of a store: its checkpoint, or why it is none."""

    number: int
    checkpoint: Checkpoint | None
    error: str = ""


class CheckpointStore(Protocol):
    """Somewhere signed checkpoints are kept, apart from the database."""

    def describe(self, chain: str) -> str: ...

    def append(self, checkpoint: Checkpoint) -> None: ...

    def read(self, chain: str) -> list[StoredLine] | None:
        """Every line for ``chain`` in the order written; None when the store has none."""
        ...


class FileCheckpointStore:
    """Append-only JSON lines, one file per chain, mode 0600; each line fsync'd when written."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, chain: str) -> Path:
        if not CHAIN_NAME.fullmatch(chain):
            raise ValueError(f"not a chain name: {chain!r}")
        return self.directory / f"{chain}.jsonl"

    def describe(self, chain: str) -> str:
        return str(self.path(chain))

    @contextlib.contextmanager
    def exclusive(self, chain: str) -> Iterator[None]:
        """One checkpointer at a time per chain (``govshare run``'s and an operator's)."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.directory / f".{chain}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def append(self, checkpoint: Checkpoint) -> None:
        path = self.path(checkpoint.chain)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        is_new = not path.exists()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            data = (checkpoint.to_line() + "\n").encode("utf-8")
            if not is_new and not _ends_with_newline(path):
                data = b"\n" + data  # a line torn by a crash stays a line of its own
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if is_new:
            sync_directory(self.directory)

    def read(self, chain: str) -> list[StoredLine] | None:
        path = self.path(chain)
        if not path.exists():
            return None
        text = path.read_text(encoding="utf-8", errors="replace")
        return [
            _parse(number, line)
            for number, line in enumerate(text.splitlines(), start=1)
            if line.strip()
        ]

    def tail(self, chain: str) -> list[Checkpoint]:
        """The last checkpoints in the file, the last first, read from its end (the file grows
        for years)."""
        path = self.path(chain)
        if not path.exists():
            return []
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - TAIL_BYTES))
            lines = handle.read().decode("utf-8", errors="replace").splitlines()
        whole = lines[1:] if size > TAIL_BYTES else lines  # the first may be cut
        parsed = (_parse(0, line).checkpoint for line in reversed(whole))
        return [checkpoint for checkpoint in parsed if checkpoint is not None]


def _parse(number: int, line: str) -> StoredLine:
    try:
        return StoredLine(number, Checkpoint.from_line(line))
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        return StoredLine(number, None, f"not a checkpoint ({error})")


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        if handle.seek(0, os.SEEK_END) == 0:
            return True
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def local_store() -> FileCheckpointStore:
    return FileCheckpointStore(Path(settings.GOVSHARE_CHECKPOINT_DIR))


more_stores: Registry[Callable[[], CheckpointStore]] = Registry("more checkpoint stores")


def register_checkpoint_store(factory: Callable[[], CheckpointStore]) -> None:
    """Send every checkpoint to one more store too (the cascade: the parent node countersigns).
    Called from a higher package's ``AppConfig.ready``."""
    more_stores.register(factory)


# -- taking checkpoints ----------------------------------------------------------------------


class Taken(StrEnum):
    WRITTEN = "written"
    UNCHANGED = "unchanged"  # the head has not moved since the last checkpoint
    EMPTY = "empty"  # no record to cover yet


@dataclass(frozen=True)
class TakeOutcome:
    chain: str
    taken: Taken
    checkpoint: Checkpoint | None = None


class CheckpointRefused(Exception):
    """The head contradicts the last checkpoint: signing it would cover a tampered chain."""


def take_checkpoint(
    model: type[HashChainedModel], key: NodeKey, store: FileCheckpointStore | None = None
) -> TakeOutcome:
    """Sign the chain's head and append it to the stores, unless it has not moved."""
    store = store or local_store()
    chain = model.chain_name
    with store.exclusive(chain):  # the head is read under the lock: a racing taker is ahead
        head = ChainHead.objects.filter(name=chain).first()
        if head is None or head.last_seq == 0:
            return TakeOutcome(chain, Taken.EMPTY)
        last = _last_trusted(store.tail(chain), key)
        if last is not None and (last.seq, last.hash) == (head.last_seq, head.last_hash):
            return TakeOutcome(chain, Taken.UNCHANGED, last)
        _check_continuity(model, head, last)
        checkpoint = Checkpoint(
            chain=chain,
            seq=head.last_seq,
            hash=head.last_hash,
            time=canonical_time(dt.datetime.now(dt.UTC)),
            key_id=key.key_id,
            node=settings.GOVSHARE_NODE_CODE,
        ).signed(key)
        store.append(checkpoint)
    _send_further(checkpoint)
    return TakeOutcome(chain, Taken.WRITTEN, checkpoint)


def _last_trusted(checkpoints: list[Checkpoint], key: NodeKey) -> Checkpoint | None:
    """The latest of ``checkpoints`` (last first) that this node signed, with any of its keys:
    a line someone appended is no base to build on."""
    known = known_public_keys() | {key.key_id: key.public}
    for checkpoint in checkpoints:
        public = known.get(checkpoint.key_id)
        if public is not None and checkpoint.verifies_under(public):
            return checkpoint
    return None


def _check_continuity(
    model: type[HashChainedModel], head: ChainHead, last: Checkpoint | None
) -> None:
    """Refuse to sign a head behind the last checkpoint, or a chain whose checkpointed record or
    last record no longer carries its hash (cheap: two rows, not a walk)."""
    hashes = dict(
        model._default_manager.filter(
            seq__in=[head.last_seq, *([last.seq] if last else [])]
        ).values_list("seq", "hash")
    )
    if hashes.get(head.last_seq) != head.last_hash:
        raise CheckpointRefused(
            f"{model.chain_name}: the chain head #{head.last_seq} does not match its last record"
        )
    if last is None:
        return
    if head.last_seq < last.seq:
        raise CheckpointRefused(
            f"{model.chain_name}: the chain head #{head.last_seq} is behind the last "
            f"checkpoint #{last.seq} (records removed)"
        )
    if hashes.get(last.seq) != last.hash:
        raise CheckpointRefused(
            f"{model.chain_name}: record #{last.seq} no longer carries the hash its checkpoint "
            "signed (records rewritten)"
        )


def _send_further(checkpoint: Checkpoint) -> None:
    # The local file holds the checkpoint already; a store further away may be down for a while.
    for factory in more_stores:
        try:
            factory().append(checkpoint)
        except Exception:
            logger.exception("checkpoint %s #%s not sent further", checkpoint.chain, checkpoint.seq)


# -- verifying against checkpoints -----------------------------------------------------------


class CheckpointFault(models.TextChoices):
    """Why a chain fails its signed checkpoints."""

    TRUNCATED = "truncated", _("records removed (truncated)")
    REWRITTEN = "rewritten", _("records rewritten")
    SIGNATURE_INVALID = "signature_invalid", _("checkpoint signature invalid")
    STORE_MISSING = "store_missing", _("checkpoint store missing")
    NOT_COVERED = "not_covered", _("records not covered by a checkpoint in time")


@dataclass(frozen=True)
class CheckpointReport:
    """How a chain stands against its checkpoints. ``first_uncovered_seq`` is the first record
    no good checkpoint covers: where to start looking when ``fault`` is set."""

    chain: str
    store: str
    checkpoints: int
    head_seq: int
    last_good: Checkpoint | None = None
    fault: CheckpointFault | None = None
    detail: str = ""
    warning: str = ""

    @property
    def is_ok(self) -> bool:
        return self.fault is None

    @property
    def first_uncovered_seq(self) -> int | None:
        covered = self.last_good.seq if self.last_good else 0
        return covered + 1 if self.fault or self.head_seq > covered else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe, for a job's result."""
        last = self.last_good
        return {
            "ok": self.is_ok,
            "store": self.store,
            "checkpoints": self.checkpoints,
            "head_seq": self.head_seq,
            "last_good_seq": last.seq if last else None,
            "last_good_time": last.time if last else None,
            "last_good_key_id": last.key_id if last else None,
            "first_uncovered_seq": self.first_uncovered_seq,
            "fault": self.fault.value if self.fault else None,
            "detail": self.detail,
            "warning": self.warning,
        }


def verify_checkpoints(
    model: type[HashChainedModel],
    store: CheckpointStore | None = None,
    keys: dict[str, PublicKey] | None = None,
    now: dt.datetime | None = None,
) -> CheckpointReport:
    """Check the chain against its signed checkpoints: each signature verifies under a key of
    this node, each checkpointed record still carries the signed hash, the head is not behind
    the last checkpoint, and no record waits too long for one."""
    store = store or local_store()
    chain = model.chain_name
    head = ChainHead.objects.filter(name=chain).first()
    lines = store.read(chain) or []
    base = CheckpointReport(chain, store.describe(chain), len(lines), head.last_seq if head else 0)
    if keys is None:
        try:
            keys = known_public_keys()
        except NodeKeyError as error:  # an altered key file vouches for no checkpoint
            if lines:
                return replace(base, fault=CheckpointFault.SIGNATURE_INVALID, detail=str(error))
            keys = {}
    good, fault, detail = _walk_checkpoints(model, chain, lines, keys)
    report = replace(base, last_good=good[-1] if good else None, fault=fault, detail=detail)
    if fault is not None:
        return report
    if report.last_good and report.head_seq < report.last_good.seq:
        return replace(
            report,
            fault=CheckpointFault.TRUNCATED,
            detail=f"the chain head #{report.head_seq} is behind the last checkpoint",
        )
    return _coverage(model, report, now or dt.datetime.now(dt.UTC))


def _walk_checkpoints(
    model: type[HashChainedModel],
    chain: str,
    lines: list[StoredLine],
    keys: dict[str, PublicKey],
) -> tuple[list[Checkpoint], CheckpointFault | None, str]:
    """Good checkpoints up to the first fault in the store's order, the fault and its detail."""
    signed: list[Checkpoint] = []
    signature_fault = ""
    for line in lines:
        checkpoint, signature_fault = _signed_checkpoint(line, chain, keys)
        if checkpoint is None:
            break
        signed.append(checkpoint)
    good: list[Checkpoint] = []
    for checkpoint, problem in _record_faults(model, signed):
        if problem is not None:
            fault, detail = problem
            return good, fault, detail
        good.append(checkpoint)
    if signature_fault:
        return good, CheckpointFault.SIGNATURE_INVALID, signature_fault
    return good, None, ""


def _signed_checkpoint(
    line: StoredLine, chain: str, keys: dict[str, PublicKey]
) -> tuple[Checkpoint | None, str]:
    """The line's checkpoint when this node's key signed it for this chain, else why not."""
    checkpoint = line.checkpoint
    if checkpoint is None:
        return None, f"line {line.number}: {line.error}"
    if checkpoint.chain != chain:
        return None, f"line {line.number}: a checkpoint of chain {checkpoint.chain!r}"
    key = keys.get(checkpoint.key_id)
    if key is None:
        return None, (
            f"line {line.number}: signed by key {checkpoint.key_id[:12]}, not a key of this node"
        )
    if not checkpoint.verifies_under(key):
        return None, f"line {line.number}: the signature does not verify (line altered)"
    return checkpoint, ""


def _record_faults(
    model: type[HashChainedModel], checkpoints: list[Checkpoint]
) -> Iterator[tuple[Checkpoint, tuple[CheckpointFault, str] | None]]:
    """Each checkpoint with what is wrong with its record, looked up a chunk at a time."""
    for start in range(0, len(checkpoints), RECORD_LOOKUP_CHUNK):
        chunk = checkpoints[start : start + RECORD_LOOKUP_CHUNK]
        hashes = dict(
            model._default_manager.filter(seq__in={c.seq for c in chunk}).values_list("seq", "hash")
        )
        for checkpoint in chunk:
            stored = hashes.get(checkpoint.seq)
            if stored is None:
                fault = f"record #{checkpoint.seq} of a signed checkpoint is gone"
                yield checkpoint, (CheckpointFault.TRUNCATED, fault)
            elif stored != checkpoint.hash:
                fault = f"record #{checkpoint.seq} no longer carries the hash its checkpoint signed"
                yield checkpoint, (CheckpointFault.REWRITTEN, fault)
            else:
                yield checkpoint, None


def _coverage(
    model: type[HashChainedModel], report: CheckpointReport, now: dt.datetime
) -> CheckpointReport:
    """Records after the last good checkpoint: fine while young, a fault once one is older
    than two checkpoint intervals (a checkpoint was expected by then)."""
    first = report.first_uncovered_seq
    if first is None:
        return report
    record = model._default_manager.filter(seq=first).first()
    created: dt.datetime | None = getattr(record, "created", None)  # both chains stamp records
    waiting = report.head_seq - first + 1
    grace = dt.timedelta(seconds=2 * settings.GOVSHARE_CHECKPOINT_SECONDS)
    if created is not None and now - created > grace:
        fault = CheckpointFault.NOT_COVERED if report.last_good else CheckpointFault.STORE_MISSING
        detail = (
            f"{waiting} record(s) from #{first}, written {canonical_time(created)}, "
            f"have no checkpoint after {int(grace.total_seconds())} s"
        )
        return replace(report, fault=fault, detail=detail)
    what = "no checkpoint yet" if report.last_good is None else "not covered yet"
    return replace(report, warning=f"{waiting} recent record(s) from #{first}: {what}")
