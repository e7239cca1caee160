"""``govshare audit``: the evidence chains and their signed checkpoints (审计链校验 / 签名检查点).

govshare audit verify [--<chain>]      walk the audit chain (or another registered chain, such as
                                       the delivery log: --deliveries), then check it against its
                                       signed checkpoints; non-zero exit on a fault
govshare audit checkpoint [--every [S]] sign the chain heads once, or every S seconds
                                       (GOVSHARE_CHECKPOINT_SECONDS) until SIGTERM or SIGINT,
                                       which take a final checkpoint before exiting
govshare audit key [--rotate]          show the node's signing key; make a new one
"""

from __future__ import annotations

import logging
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from govshare.core.evidence.chain import ChainReport, HashChainedModel, chained_models, verify_chain
from govshare.core.evidence.checkpoints import (
    CheckpointRefused,
    CheckpointReport,
    Taken,
    TakeOutcome,
    take_checkpoint,
    verify_checkpoints,
)
from govshare.core.evidence.signing import (
    NodeKey,
    NodeKeyError,
    known_public_keys,
    load_or_create_node_key,
    rotate_node_key,
)

logger = logging.getLogger(__name__)

STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
AUDIT_CHAIN = "audit"  # core's own chain, verified when no other is named


class Command(BaseCommand):
    help = "Verify and sign the audit chain and the delivery log (审计链校验, 签名检查点)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="verify the chain and its signed checkpoints")
        # One flag per chain the installed apps declare (core names none of them), as
        # --deliveries for exchange's delivery log.
        for name, model in sorted(chained_models().items()):
            if name != AUDIT_CHAIN:
                verify.add_argument(
                    f"--{name}",
                    action="store_const",
                    const=name,
                    dest="chain",
                    help=f"verify the {_title(model)} instead",
                )
        checkpoint = sub.add_parser("checkpoint", help="sign the chain heads")
        checkpoint.add_argument(
            "--every",
            type=float,
            nargs="?",
            const=settings.GOVSHARE_CHECKPOINT_SECONDS,
            default=None,
            help="sign again every SECONDS until stopped (default GOVSHARE_CHECKPOINT_SECONDS)",
        )
        checkpoint.add_argument(
            "--count", type=int, default=None, help="with --every: stop after N rounds"
        )
        key = sub.add_parser("key", help="show the node's signing key")
        key.add_argument("--rotate", action="store_true", help="make a new key, keep the old")

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand == "verify":
            self._verify(options.get("chain") or AUDIT_CHAIN)
        elif subcommand == "checkpoint":
            self._checkpoint(options["every"], options["count"])
        else:
            self._key(rotate=options["rotate"])

    # -- verify

    def _verify(self, name: str) -> None:
        model, what = _chain(name)
        report = verify_chain(model)
        self._print(report)
        checks = verify_checkpoints(model)
        self._print_checkpoints(checks)
        if not report.is_intact:
            raise CommandError(f"{what} broken at record #{report.broken_seq}")
        if not checks.is_ok:
            last = checks.last_good
            raise CommandError(
                f"{what} fails its signed checkpoints ({checks.fault}): "
                f"last good checkpoint {f'#{last.seq}' if last else 'none'}, "
                f"first record not covered #{checks.first_uncovered_seq}"
            )

    def _print(self, report: ChainReport) -> None:
        if report.is_intact:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{report.chain}: {report.checked} records verified, chain intact"
                )
            )
        else:
            self.stdout.write(
                self.style.ERROR(
                    f"{report.chain}: first broken record #{report.broken_seq}: {report.reason} "
                    f"({report.checked} records before it verified)"
                )
            )

    def _print_checkpoints(self, report: CheckpointReport) -> None:
        last = report.last_good
        good = (
            f"last good checkpoint #{last.seq} of {last.time} (key {last.key_id[:12]})"
            if last
            else "no good checkpoint"
        )
        prefix = f"{report.chain}: signed checkpoints in {report.store}:"
        if not report.is_ok:
            self.stdout.write(
                self.style.ERROR(
                    f"{prefix} {report.fault} ({report.fault.label if report.fault else ''}): "
                    f"{report.detail}; {good}; first record not covered "
                    f"#{report.first_uncovered_seq}"
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(f"{prefix} {report.checkpoints} read, {good}, all verify")
            if last
            else f"{prefix} none"
        )
        if report.warning:
            self.stdout.write(self.style.WARNING(f"{report.chain}: warning: {report.warning}"))

    # -- checkpoint

    def _checkpoint(self, every: float | None, count: int | None) -> None:
        if every is not None and every <= 0:
            raise CommandError("--every must be a positive number of seconds")
        if count is not None and count < 1:
            raise CommandError("--count must be at least 1")
        try:
            key = load_or_create_node_key()
        except NodeKeyError as error:
            raise CommandError(str(error)) from error
        if every is None:
            if not self._round(key, quiet=False):
                raise CommandError("a chain head was not signed (see above)")
            return
        self._schedule(key, every, count)

    def _schedule(self, key: NodeKey, every: float, count: int | None) -> None:
        """Sign every ``every`` seconds. SIGTERM and SIGINT are taken synchronously (blocked,
        then awaited with the interval as timeout), so one never cuts a line being written;
        either ends the loop after a final round that covers the last records."""
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            rounds = 0
            while True:
                self._round(key, quiet=True)
                rounds += 1
                if count is not None and rounds >= count:
                    return
                received = signal.sigtimedwait(STOP_SIGNALS, every)
                close_old_connections()  # a long-running loop must not hold a stale connection
                if received is not None:
                    self._round(key, quiet=True)
                    self.stdout.write(f"stopped by signal {received.si_signo}: final checkpoint")
                    return
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    def _round(self, key: NodeKey, *, quiet: bool) -> bool:
        """Sign each chain's head; False when one was refused or failed (logged)."""
        all_signed = True
        for name in sorted(chained_models()):
            model, _what = _chain(name)
            try:
                outcome = take_checkpoint(model, key)
            except CheckpointRefused as refused:
                logger.error("checkpoint refused: %s", refused)
                self.stderr.write(f"refused: {refused}")
                all_signed = False
                continue
            except Exception:  # on a schedule, one failed round must not end the schedule
                logger.exception("checkpoint of %s failed; trying again next round", name)
                all_signed = False
                continue
            if not quiet or outcome.taken == Taken.WRITTEN:
                self.stdout.write(_describe(outcome))
                self.stdout.flush()
        return all_signed

    # -- key

    def _key(self, *, rotate: bool) -> None:
        try:
            key = rotate_node_key() if rotate else load_or_create_node_key()
            keys = known_public_keys()
        except NodeKeyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"key file: {settings.GOVSHARE_NODE_KEY_FILE}")
        for public in keys.values():
            state = "current" if public.key_id == key.key_id else f"retired {public.retired}"
            self.stdout.write(
                f"{public.key_id}  SM2 signer {public.signer_id}  created {public.created}  "
                f"{state}\n  public key 04{public.point.hex()}"
            )


def _chain(name: str) -> tuple[type[HashChainedModel], str]:
    model = chained_models()[name]
    return model, _title(model)


def _title(model: type[HashChainedModel]) -> str:
    return model.chain_title or f"{model.chain_name} chain"


def _describe(outcome: TakeOutcome) -> str:
    checkpoint = outcome.checkpoint
    if outcome.taken == Taken.EMPTY or checkpoint is None:
        return f"{outcome.chain}: no records yet, nothing to sign"
    if outcome.taken == Taken.UNCHANGED:
        return f"{outcome.chain}: unchanged since checkpoint #{checkpoint.seq}"
    return f"{outcome.chain}: checkpoint #{checkpoint.seq} signed (key {checkpoint.key_id[:12]})"
