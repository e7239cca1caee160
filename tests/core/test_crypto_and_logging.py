"""SM3/SM4 against the standards' test vectors; secrets never reach a log line."""

from __future__ import annotations

import logging

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from govshare.core.crypto import sm3_hex, sm4_decrypt, sm4_encrypt
from govshare.core.logging import RedactSecretsFilter, redact


def test_sm3_through_cryptography_gives_the_same_digest_as_through_hashlib(monkeypatch):
    from govshare.core import crypto

    expected = sm3_hex("abc")
    monkeypatch.setattr(crypto, "_HASHLIB_SM3", False)
    assert sm3_hex("abc") == expected


def test_sm3_matches_gbt_32905_vectors():
    assert sm3_hex("abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3_hex("abcd" * 16).startswith("debe9ff9")


def test_sm4_matches_the_gbt_32907_vector():
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert encryptor.update(key).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm4_round_trip_uses_a_fresh_iv_each_time():
    first, second = sm4_encrypt("数据库密码"), sm4_encrypt("数据库密码")
    assert first != second
    assert sm4_decrypt(first) == sm4_decrypt(second) == "数据库密码"


def test_secrets_are_redacted_from_log_records(caplog):
    logger = logging.getLogger("govshare.test")
    logger.addFilter(RedactSecretsFilter())
    with caplog.at_level(logging.INFO):
        logger.info("login password=%s token %s", "hunter2", "gs_AbCdEf12_" + "x" * 40)
    assert "hunter2" not in caplog.text and "x" * 40 not in caplog.text
    assert redact("Authorization: Bearer abc.def") == "Authorization: ***"
