"""National cryptography (国密) primitives: SM3 digests and SM4 encryption of stored secrets.

SM3 (GB/T 32905) and SM4 (GB/T 32907) come from `cryptography`; SM2 signatures arrive with the
e-license module.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable
from typing import Protocol

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

SM4_BLOCK_BYTES = 16
# The gateway digests every answer and every delivery record: where this Python's OpenSSL offers
# SM3 to hashlib, that is the cheaper path; `cryptography` computes the same digest otherwise.
_HASHLIB_SM3 = "sm3" in hashlib.algorithms_available
CIPHERTEXT_PREFIX = "sm4cbc$"


def sm3_hex(data: bytes | str) -> str:
    """SM3 digest of ``data`` as 64 lowercase hex digits."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if _HASHLIB_SM3:  # OpenSSL's SM3 through hashlib: a quarter of the setup cost per digest
        return hashlib.new("sm3", data).hexdigest()
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


class Sm3:
    """An SM3 digest fed piece by piece (a table's rows, a file's blocks), for data too large to
    hold at once; ``hexdigest()`` equals ``sm3_hex`` of all pieces joined."""

    def __init__(self) -> None:
        self._hashlib = hashlib.new("sm3") if _HASHLIB_SM3 else None
        self._hash = None if _HASHLIB_SM3 else hashes.Hash(hashes.SM3())

    def update(self, data: bytes) -> None:
        if self._hashlib is not None:
            self._hashlib.update(data)
        elif self._hash is not None:
            self._hash.update(data)

    def hexdigest(self) -> str:
        if self._hashlib is not None:
            return self._hashlib.hexdigest()
        assert self._hash is not None
        return self._hash.copy().finalize().hex()


class Sm3Digest(Protocol):
    """An SM3 digest fed piece by piece (a file package's members, read in chunks)."""

    def update(self, data: bytes) -> None: ...

    def hexdigest(self) -> str: ...


class _CryptographySm3:
    def __init__(self) -> None:
        self._hash = hashes.Hash(hashes.SM3())

    def update(self, data: bytes) -> None:
        self._hash.update(data)

    def hexdigest(self) -> str:
        return self._hash.finalize().hex()


def sm3_digest() -> Sm3Digest:
    """A new incremental SM3 digest: ``update`` with each chunk, then ``hexdigest``."""
    if _HASHLIB_SM3:
        return hashlib.new("sm3")
    return _CryptographySm3()


def sm3_of_chunks(chunks: Iterable[bytes]) -> tuple[int, str]:
    """The size and SM3 digest of the bytes ``chunks`` yields, without holding them at once."""
    digest, size = sm3_digest(), 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def constant_time_equal(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


def data_key() -> bytes:
    """The node's SM4 data key (GOVSHARE_DATA_KEY, 32 hex digits)."""
    key = bytes.fromhex(settings.GOVSHARE_DATA_KEY)
    if len(key) != SM4_BLOCK_BYTES:
        raise ValueError("GOVSHARE_DATA_KEY must be 32 hexadecimal digits (a 128-bit SM4 key)")
    return key


def sm4_encrypt(plaintext: str, key: bytes | None = None) -> str:
    """Encrypt with SM4-CBC under a random IV; returns ``sm4cbc$<base64(iv||ciphertext)>``."""
    iv = os.urandom(SM4_BLOCK_BYTES)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext.encode("utf-8")) + padder.finalize()
    encryptor = Cipher(algorithms.SM4(key or data_key()), modes.CBC(iv)).encryptor()
    body = encryptor.update(padded) + encryptor.finalize()
    return CIPHERTEXT_PREFIX + base64.b64encode(iv + body).decode("ascii")


def sm4_decrypt(token: str, key: bytes | None = None) -> str:
    if not token.startswith(CIPHERTEXT_PREFIX):
        raise ValueError("not an SM4 ciphertext")
    raw = base64.b64decode(token[len(CIPHERTEXT_PREFIX) :])
    iv, body = raw[:SM4_BLOCK_BYTES], raw[SM4_BLOCK_BYTES:]
    decryptor = Cipher(algorithms.SM4(key or data_key()), modes.CBC(iv)).decryptor()
    padded = decryptor.update(body) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(padded) + unpadder.finalize()).decode("utf-8")
