"""The node's signing key (节点签名密钥): SM2 signatures made by this node.

One SM2 key pair per node, generated on first use. It lives in a file outside the database
(settings.GOVSHARE_NODE_KEY_FILE, mode 0600) so that whoever can write to the database cannot
also sign: the private key is SM4-encrypted under the environment's data key (GOVSHARE_DATA_KEY),
and the file's list of trusted public keys carries an SM3-HMAC under that key, so a key slipped
into the file by someone without the data key is refused. The signer ID in Z_A (GB/T 32918.2) is
the node code (GOVSHARE_NODE_CODE) the key was made under, so a signature names its node.

A key is known by its id, the SM3 of its public point (``04 || x || y``). Rotating keeps the
earlier public keys, so what they signed still verifies. The signed chain checkpoints
(core/evidence/checkpoints.py) use this key first; node-to-node signing in the cascade reuses it.

SM2 comes from gmssl-pyx (GmSSL, random nonce); never from the ``gmssl`` package, whose nonce
is predictable. Signatures are DER ``SEQUENCE {r, s}`` over SM3(Z_A || message).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import gmssl_pyx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from django.conf import settings

from govshare.core.crypto import data_key, sm3_hex, sm4_decrypt, sm4_encrypt
from govshare.core.evidence.durable import sync_directory

KEY_FILE_FORMAT = 1
UNCOMPRESSED = b"\x04"
# Separates the key file's MAC key from every other use of the data key.
MAC_LABEL = b"govshare node key file v1"


class NodeKeyError(Exception):
    """The key file is unreadable, altered, or cannot be decrypted with this data key."""


@dataclass(frozen=True)
class PublicKey:
    """A node public key as the key file lists it: the current one or a retired one."""

    key_id: str
    point: bytes  # 64 bytes: x || y
    signer_id: str
    created: str
    retired: str = ""

    def verify(self, data: bytes, signature: bytes) -> bool:
        return verify(self.point, data, signature, self.signer_id)

    def as_dict(self) -> dict[str, str]:
        values = {
            "key_id": self.key_id,
            "public_key": (UNCOMPRESSED + self.point).hex(),
            "signer_id": self.signer_id,
            "created": self.created,
        }
        return values | ({"retired": self.retired} if self.retired else {})


@dataclass(frozen=True)
class NodeKey:
    """The node's current key pair; the private half is held only in memory."""

    public: PublicKey
    private: bytes = field(repr=False)

    @property
    def key_id(self) -> str:
        return self.public.key_id

    def sign(self, data: bytes) -> bytes:
        """SM2-sign ``data`` (SM3 with Z_A over the key's signer ID); a DER signature."""
        signer_id = self.public.signer_id.encode()
        return bytes(gmssl_pyx.sm2_sign(self.private, self.public.point, data, signer_id))


def key_id_of(point: bytes) -> str:
    """The id of a public key: SM3 of its uncompressed encoding ``04 || x || y``."""
    return sm3_hex(UNCOMPRESSED + point)


def node_key_path() -> Path:
    return Path(settings.GOVSHARE_NODE_KEY_FILE)


def sign(data: bytes, key: NodeKey | None = None) -> bytes:
    """Sign ``data`` with ``key``, or with the node's key (made on first use)."""
    return (key or load_or_create_node_key()).sign(data)


def verify(point: bytes, data: bytes, signature: bytes, signer_id: str) -> bool:
    """Whether ``signature`` (DER) is ``signer_id``'s SM2 signature of ``data`` under ``point``
    (64 bytes x || y, or 65 with the 04 prefix). Malformed input verifies as False."""
    try:
        decode_dss_signature(signature)  # refuse what is not DER before GmSSL sees it
        normalised = gmssl_pyx.normalize_sm2_public_key(point)
        return bool(gmssl_pyx.sm2_verify(normalised, data, signature, signer_id.encode()))
    except (ValueError, gmssl_pyx.GmsslInnerError):
        return False


def load_or_create_node_key(path: Path | None = None) -> NodeKey:
    """The node's current key pair, generating it into the key file on first use."""
    path = path or node_key_path()
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            _publish(path, _key_file(_new_key(), retired=[]), replace_existing=False)
    return load_node_key(path)


def load_node_key(path: Path | None = None) -> NodeKey:
    """The current key pair from the key file (NodeKeyError when missing or not ours)."""
    content = _read(path or node_key_path())
    current = content["current"]
    try:
        private = bytes.fromhex(sm4_decrypt(current["private_key"]))
    except ValueError as error:
        raise NodeKeyError("the node key cannot be decrypted with this data key") from error
    return NodeKey(public=_public_key(current), private=private)


def known_public_keys(path: Path | None = None) -> dict[str, PublicKey]:
    """Every public key this node has signed with, current and retired, by key id; empty when
    the node has no key yet."""
    path = path or node_key_path()
    if not path.exists():
        return {}
    content = _read(path)
    keys = [_public_key(content["current"]), *map(_public_key, content["retired"])]
    return {key.key_id: key for key in keys}


def rotate_node_key(path: Path | None = None) -> NodeKey:
    """Make a new current key; the old public key joins the retired ones (轮换)."""
    path = path or node_key_path()
    old = load_node_key(path)
    retired_keys = [key for key in known_public_keys(path).values() if key.retired]
    now = _now()
    retired = [replace(old.public, retired=now), *retired_keys]
    new = _new_key()
    _publish(path, _key_file(new, retired=retired), replace_existing=True)
    return NodeKey(public=new.public, private=new.private)


def _new_key() -> NodeKey:
    point, private = gmssl_pyx.sm2_key_generate()
    public = PublicKey(
        key_id=key_id_of(point),
        point=bytes(point),
        signer_id=settings.GOVSHARE_NODE_CODE,
        created=_now(),
    )
    return NodeKey(public=public, private=bytes(private))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _key_file(key: NodeKey, retired: list[PublicKey]) -> dict[str, Any]:
    content = {
        "format": KEY_FILE_FORMAT,
        "algorithm": "SM2",
        "current": key.public.as_dict() | {"private_key": sm4_encrypt(key.private.hex())},
        "retired": [public.as_dict() for public in retired],
    }
    return content | {"mac": _mac(content)}


def _mac(content: dict[str, Any]) -> str:
    """SM3-HMAC of the file's content (all but the MAC) under a key derived from the data key."""
    mac_key = _hmac_sm3(data_key(), MAC_LABEL)
    text = json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    return _hmac_sm3(mac_key, text).hex()


def _hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def _read(path: Path) -> dict[str, Any]:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise NodeKeyError(f"no node key at {path}") from error
    except ValueError as error:
        raise NodeKeyError(f"the node key file {path} is not JSON") from error
    if not isinstance(content, dict) or not {"current", "retired", "mac"} <= content.keys():
        raise NodeKeyError(f"the node key file {path} is malformed")
    stated = content.pop("mac")
    if not hmac.compare_digest(str(stated), _mac(content)):
        raise NodeKeyError(f"the node key file {path} was altered (its MAC does not match)")
    return content


def _public_key(entry: dict[str, str]) -> PublicKey:
    point = bytes.fromhex(entry["public_key"])[1:]
    if key_id_of(point) != entry["key_id"]:
        raise NodeKeyError(f"key {entry['key_id'][:12]}: the id does not match its public key")
    return PublicKey(
        key_id=entry["key_id"],
        point=point,
        signer_id=entry["signer_id"],
        created=entry["created"],
        retired=entry.get("retired", ""),
    )


def _publish(path: Path, content: dict[str, Any], *, replace_existing: bool) -> None:
    """Write the key file whole or not at all, mode 0600 from its first byte: a temporary file,
    synced, then linked in (first use: fails if another process got there first) or renamed
    over the old one (rotation)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(content, handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        if replace_existing:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    sync_directory(path.parent)
