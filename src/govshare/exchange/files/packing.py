"""A file package (文件包) as bytes: one ZIP holding the data files under ``data/``, the manifest
and the node's signature of it.

- ``manifest.json``: who, what and when (package and request numbers, resource, consumer,
  provider, items and their masking, created, expires) and, for every data file, its name, size
  and SM3 digest. Written once, as UTF-8 JSON; the signature covers exactly these bytes.
- ``manifest.sig``: JSON naming the algorithm (SM2 with SM3, GB/T 32918), the DER signature in
  hex, the signing key's id, the signer id (the node code, part of Z_A) and the public key
  (``04 || x || y`` in hex), so a consumer can verify offline; ``verify.py`` also accepts a key
  pinned in advance, which is what makes the signature mean "this node" and not just "someone".

Data files that are compressed already (XLSX, Parquet) are stored; text is deflated.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from govshare.core.crypto import sm3_of_chunks
from govshare.core.evidence.signing import UNCOMPRESSED, NodeKey

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
DATA_DIR = "data/"
MANIFEST_FORMAT = 1
ALGORITHM = "SM2-SM3"
READ_BYTES = 1024 * 1024
STORED_SUFFIXES = frozenset({".xlsx", ".parquet", ".zip", ".gz", ".7z", ".jpg", ".png", ".pdf"})


@dataclass(frozen=True)
class PackedFile:
    """A data file as the manifest lists it."""

    name: str  # the member's name in the archive, "data/…"
    size: int
    sm3: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "size": self.size, "sm3": self.sm3}


@dataclass(frozen=True)
class Packed:
    """What packing wrote: the archive, its size and SM3, and the manifest it carries."""

    path: Path
    size: int
    sm3: str
    manifest: dict[str, Any]


def read_chunks(handle: IO[bytes], size: int = READ_BYTES) -> Iterator[bytes]:
    while chunk := handle.read(size):
        yield chunk


def file_digest(path: Path) -> tuple[int, str]:
    """Size and SM3 of a file, read in chunks."""
    with path.open("rb") as handle:
        return sm3_of_chunks(read_chunks(handle))


def manifest_bytes(header: Mapping[str, Any], files: Sequence[PackedFile]) -> bytes:
    manifest = {"format": MANIFEST_FORMAT, **header, "files": [f.as_dict() for f in files]}
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def signature_bytes(manifest: bytes, key: NodeKey) -> bytes:
    public = key.public
    document = {
        "algorithm": ALGORITHM,
        "signature": key.sign(manifest).hex(),
        "key_id": public.key_id,
        "signer_id": public.signer_id,
        "public_key": (UNCOMPRESSED + public.point).hex(),
    }
    return json.dumps(document, indent=2, sort_keys=True).encode("ascii")


def pack(
    target: Path, header: Mapping[str, Any], files: Sequence[tuple[str, Path]], key: NodeKey
) -> Packed:
    """Write the package to ``target`` (a temporary name: the caller renames it into place):
    each (name, path) as ``data/name``, then the manifest and its signature."""
    listed = []
    with zipfile.ZipFile(target, "w", allowZip64=True) as archive:
        for name, path in files:
            size, digest = file_digest(path)
            member = DATA_DIR + name
            archive.write(path, member, compress_type=_compression(path))
            listed.append(PackedFile(member, size, digest))
        manifest = manifest_bytes(header, listed)
        archive.writestr(MANIFEST, manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(SIGNATURE, signature_bytes(manifest, key))
    size, digest = file_digest(target)
    return Packed(target, size, digest, json.loads(manifest))


def _compression(path: Path) -> int:
    return zipfile.ZIP_STORED if path.suffix.lower() in STORED_SUFFIXES else zipfile.ZIP_DEFLATED


def publish(temporary: Path, final: Path) -> None:
    """Move a finished file into place atomically: a reader sees the whole file or none
    (rename within one file system; the data is synced first so a crash leaves no torn file)."""
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, final)
