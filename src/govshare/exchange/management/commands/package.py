"""``govshare package``: file packages (文件包) on the command line.

govshare package verify FILE [--key HEX]...   check a package offline: the manifest's SM2
                                              signature (by a pinned key when --key is given),
                                              then every file's size and SM3 digest; names the
                                              first thing that does not hold; exit 0 / 1
govshare package expire                       delete the files of expired packages (the sweep;
                                              each build job sweeps too)
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govshare.core.context import audit_context
from govshare.exchange.files.services import expire_packages
from govshare.exchange.files.verify import verify_package

PUBLIC_KEY_DIGITS = (128, 130)  # x || y, or 04 || x || y


def public_key(text: str) -> str:
    """A --key value: an SM2 public key in hex."""
    value = text.strip().lower()
    if len(value) not in PUBLIC_KEY_DIGITS or not set(value) <= set(string.hexdigits.lower()):
        raise ValueError(text)
    return value


public_key.__name__ = "SM2 public key (hex)"  # argparse names the type in its error


class Command(BaseCommand):
    help = "Verify file packages (文件包校验) and sweep expired ones."
    requires_system_checks: list[str] = []  # verify runs on a consumer's machine, offline

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        verify = sub.add_parser("verify", help="check a package's signature and digests")
        verify.add_argument("file", type=Path, help="the package (.zip)")
        verify.add_argument(
            "--key",
            action="append",
            type=public_key,
            help="trust only this SM2 public key (hex, 04||x||y); may be repeated",
        )
        sub.add_parser("expire", help="delete the files of expired packages")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self._verify(options["file"], options.get("key"))
        else:
            with audit_context(source="task"):
                count = expire_packages()
            self.stdout.write(self.style.SUCCESS(f"{count} package(s) expired"))

    def _verify(self, path: Path, keys: list[str] | None) -> None:
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        report = verify_package(path, trusted_keys=keys)
        if not report.ok:
            raise CommandError(f"{path.name}: does not verify: {report.problem}")
        manifest = report.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name}: package {manifest.get('package', '?')} verifies: signed by node "
                f"{report.signer_id} (key {report.key_id[:16]}), "
                f"{len(manifest.get('files', []))} file(s), every size and SM3 digest matches"
            )
        )
