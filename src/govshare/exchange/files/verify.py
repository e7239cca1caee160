"""Checking a file package on the consumer's side (验包), offline: the signature of the
manifest, then every listed file's size and SM3 digest, then that nothing unlisted came along.

The first thing that does not hold is named in ``VerifyReport.problem``: the member
(``manifest.sig``, ``manifest.json`` or ``data/…``) and what is wrong with it. A signature is
checked against the public key the package carries, and, when ``trusted_keys`` are given (keys
pinned from the provider's node beforehand), that key must be one of them: a package re-signed
with someone else's key carries a valid signature, but not that node's.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from govshare.core.crypto import sm3_of_chunks
from govshare.core.evidence.signing import UNCOMPRESSED, verify
from govshare.exchange.files.packing import ALGORITHM, MANIFEST, SIGNATURE, read_chunks

POINT_BYTES = 64


@dataclass(frozen=True)
class Problem:
    """The first thing that does not hold: which member, and what is wrong with it."""

    member: str
    reason: str

    def __str__(self) -> str:
        return f"{self.member}: {self.reason}"


@dataclass
class VerifyReport:
    """The outcome: ``ok``, or the ``problem``; what was checked on the way, and the manifest."""

    problem: Problem | None = None
    checked: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    key_id: str = ""
    signer_id: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None


class _Failed(Exception):
    def __init__(self, member: str, reason: str) -> None:
        super().__init__(reason)
        self.problem = Problem(member, reason)


def verify_package(path: Path, *, trusted_keys: Iterable[str] | None = None) -> VerifyReport:
    """Check the package at ``path``; ``trusted_keys`` are public keys in hex (``04 || x || y``
    or ``x || y``): when given, the manifest must be signed by one of them."""
    report = VerifyReport()
    try:
        with zipfile.ZipFile(path) as archive:
            _check(archive, report, _points(trusted_keys))
    except _Failed as failed:
        report.problem = failed.problem
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        report.problem = Problem(
            path.name, _("not a readable ZIP package (%(error)s)") % {"error": error}
        )
    return report


def _points(keys: Iterable[str] | None) -> set[bytes] | None:
    if keys is None:
        return None
    points = set()
    for key in keys:
        raw = bytes.fromhex(key.strip())
        points.add(raw[1:] if len(raw) == POINT_BYTES + 1 and raw[:1] == UNCOMPRESSED else raw)
    return points


def _check(archive: zipfile.ZipFile, report: VerifyReport, trusted: set[bytes] | None) -> None:
    manifest_raw = _member(archive, MANIFEST)
    signature = _signature(_member(archive, SIGNATURE))
    _check_signature(manifest_raw, signature, trusted, report)
    report.checked.append(SIGNATURE)
    manifest = _manifest(manifest_raw)
    report.manifest = manifest
    listed = set()
    for entry in manifest["files"]:
        _check_file(archive, entry)
        listed.add(entry["name"])
        report.checked.append(entry["name"])
    extra = [n for n in archive.namelist() if n not in listed and n not in (MANIFEST, SIGNATURE)]
    if extra:
        raise _Failed(extra[0], _("in the package but not listed in the manifest"))


def _member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except KeyError:
        raise _Failed(name, _("missing from the package")) from None
    except (zipfile.BadZipFile, zlib.error) as error:
        raise _Failed(name, _("damaged (%(error)s)") % {"error": error}) from None


def _signature(raw: bytes) -> dict[str, str]:
    try:
        document = json.loads(raw)
        fields = {name: str(document[name]) for name in ("signature", "public_key", "signer_id")}
        fields["algorithm"] = str(document.get("algorithm", ""))
        fields["key_id"] = str(document.get("key_id", ""))
        for name in ("signature", "public_key"):
            bytes.fromhex(fields[name])  # hex, or refused here rather than when verifying
    except (ValueError, KeyError, TypeError, AttributeError):
        raise _Failed(SIGNATURE, _("not a signature document")) from None
    if fields["algorithm"] != ALGORITHM:
        raise _Failed(SIGNATURE, _("unknown algorithm %(name)s") % {"name": fields["algorithm"]})
    return fields


def _check_signature(
    manifest: bytes, signature: dict[str, str], trusted: set[bytes] | None, report: VerifyReport
) -> None:
    public = bytes.fromhex(signature["public_key"])
    point = public[1:] if public[:1] == UNCOMPRESSED else public
    report.key_id, report.signer_id = signature["key_id"], signature["signer_id"]
    if trusted is not None and point not in trusted:
        raise _Failed(
            SIGNATURE,
            _("signed with key %(key)s, which is not a trusted key")
            % {"key": signature["key_id"][:16] or point.hex()[:16]},
        )
    if not verify(point, manifest, bytes.fromhex(signature["signature"]), signature["signer_id"]):
        raise _Failed(
            SIGNATURE,
            _("the signature does not match manifest.json (the manifest was changed, or the "
              "signature is not of it)"),
        )  # fmt: skip


def _manifest(raw: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(raw)
        files = manifest["files"]
        if not isinstance(files, list) or not all(
            isinstance(f, dict) and {"name", "size", "sm3"} <= f.keys() for f in files
        ):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise _Failed(
            MANIFEST, _("not a manifest (no list of files with sizes and digests)")
        ) from None
    return dict(manifest)


def _check_file(archive: zipfile.ZipFile, entry: dict[str, Any]) -> None:
    name = str(entry["name"])
    try:
        with archive.open(name) as handle:
            size, digest = sm3_of_chunks(read_chunks(handle))
    except KeyError:
        raise _Failed(name, _("listed in the manifest but missing from the package")) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise _Failed(name, _("damaged (%(error)s)") % {"error": error}) from None
    if size != entry["size"]:
        raise _Failed(
            name,
            _("%(found)s bytes where the manifest says %(listed)s")
            % {"found": size, "listed": entry["size"]},
        )
    if digest != entry["sm3"]:
        raise _Failed(name, _("SM3 digest %(found)s does not match the manifest's %(listed)s") % {
            "found": digest, "listed": entry["sm3"]})  # fmt: skip
