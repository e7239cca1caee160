"""SM3 fed piece by piece (core.crypto.Sm3) equals SM3 of the whole, on either implementation."""

from __future__ import annotations

import pytest

from govshare.core import crypto
from govshare.core.crypto import Sm3, sm3_hex

PIECES = [b"", "张三,".encode(), b"370702199001011234\n" * 1000, bytes(range(256))]


@pytest.mark.parametrize("through_hashlib", [True, False], ids=["hashlib", "cryptography"])
def test_a_digest_fed_in_pieces_is_the_digest_of_the_whole(monkeypatch, through_hashlib):
    if through_hashlib and not crypto._HASHLIB_SM3:
        pytest.skip("this OpenSSL offers no SM3 to hashlib")
    monkeypatch.setattr(crypto, "_HASHLIB_SM3", through_hashlib)
    digest = Sm3()
    for piece in PIECES:
        digest.update(piece)
    assert digest.hexdigest() == sm3_hex(b"".join(PIECES))
    # the GB/T 32905 example: SM3("abc")
    example = Sm3()
    example.update(b"abc")
    assert example.hexdigest() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
