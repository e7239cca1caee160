"""``govshare audit verify [--deliveries]``: walk the audit hash chain (or the exchange's delivery
log) and report the first broken record."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govshare.core.chain import ChainReport, HashChainedModel, verify_chain
from govshare.core.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail or the delivery log (审计链校验)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="verify the chain")
        verify.add_argument(
            "--deliveries", action="store_true", help="verify the exchange delivery log instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        model: type[HashChainedModel]
        if options.get("deliveries"):
            from govshare.exchange.models import DeliveryRecord

            model, what = DeliveryRecord, "delivery log"
        else:
            model, what = AuditEvent, "audit chain"
        report = verify_chain(model)
        self._print(report)
        if not report.is_intact:
            raise CommandError(f"{what} broken at record #{report.broken_seq}")

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
