"""SM3/SM4 against the standards' test vectors; secrets never reach a log line."""

from __future__ import annotations

import logging
import sys

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.urls import reverse

from govshare.core.crypto import sm3_hex, sm3_of_chunks, sm4_decrypt, sm4_encrypt
from govshare.core.logging import OneLineClientErrors, RedactSecretsFilter, redact


def test_sm3_through_cryptography_gives_the_same_digest_as_through_hashlib(monkeypatch):
    from govshare.core import crypto

    expected = sm3_hex("abc")
    monkeypatch.setattr(crypto, "_HASHLIB_SM3", False)
    assert sm3_hex("abc") == expected


def test_sm3_matches_gbt_32905_vectors():
    assert sm3_hex("abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3_hex("abcd" * 16).startswith("debe9ff9")


@pytest.mark.parametrize("through_hashlib", [True, False])
def test_sm3_of_chunks_is_the_digest_of_the_joined_bytes(monkeypatch, through_hashlib):
    from govshare.core import crypto

    monkeypatch.setattr(crypto, "_HASHLIB_SM3", through_hashlib and crypto._HASHLIB_SM3)
    assert sm3_of_chunks([b"ab", b"", b"cd" + b"abcd" * 15]) == (64, sm3_hex("abcd" * 16))
    assert sm3_of_chunks([]) == (0, sm3_hex(b""))


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


@pytest.mark.django_db
def test_a_refused_request_is_one_line_in_the_log_and_a_crash_keeps_its_traceback(
    client_for, staff_a, caplog
):
    # given a user without the right to create accounts
    client = client_for(staff_a)

    # when the page refuses them
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("identity:user_create"))

    # then the log has the refusal's line, without a traceback
    assert response.status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert refusals and all(r.exc_info is None for r in refusals)
    assert "Traceback" not in caplog.text

    # and a 5xx record keeps its traceback
    crash = logging.LogRecord("django.request", logging.ERROR, "", 0, "boom", None, _exc_info())
    crash.status_code = 500
    OneLineClientErrors().filter(crash)
    assert crash.exc_info is not None


def _exc_info():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        return sys.exc_info()
