"""The node's signing key: made on first use, kept outside the database encrypted, SM2 signatures
that independent implementations (gmalg, the OpenSSL command) verify with the node code as ID."""

from __future__ import annotations

import base64
import json
import shutil
import stat
import subprocess

import gmalg
import pytest
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from govshare.core.crypto import sm3_hex, sm4_decrypt
from govshare.core.evidence.signing import (
    NodeKeyError,
    key_id_of,
    known_public_keys,
    load_node_key,
    load_or_create_node_key,
    rotate_node_key,
    sign,
    verify,
)

MESSAGE = b'{"chain":"audit","seq":1}'
# SubjectPublicKeyInfo for an SM2 point: id-ecPublicKey with the SM2 curve (1.2.156.10197.1.301).
SM2_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")


def test_the_key_is_made_on_first_use_mode_0600_with_the_private_key_encrypted(settings):
    # given a node without a key
    path = settings.GOVSHARE_NODE_KEY_FILE
    assert not path.exists()

    # when it is first used
    key = load_or_create_node_key()

    # then the file is the owner's alone and holds the private key only SM4-encrypted
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert key.private.hex() not in text and key.private.hex().upper() not in text
    stored = json.loads(text)["current"]["private_key"]
    assert stored.startswith("sm4cbc$") and sm4_decrypt(stored) == key.private.hex()
    # its id is the SM3 of the uncompressed public point, and the next use finds the same key
    assert key.key_id == sm3_hex(b"\x04" + key.public.point) == key_id_of(key.public.point)
    assert load_or_create_node_key().key_id == key.key_id


def test_a_signature_verifies_only_for_its_data_key_and_signer_id(settings):
    key = load_or_create_node_key()
    signature = sign(MESSAGE)

    assert verify(key.public.point, MESSAGE, signature, settings.GOVSHARE_NODE_CODE)
    assert not verify(key.public.point, MESSAGE + b" ", signature, settings.GOVSHARE_NODE_CODE)
    assert not verify(key.public.point, MESSAGE, signature, "110000")  # another node's Z_A
    other = load_or_create_node_key(settings.GOVSHARE_NODE_KEY_FILE.with_name("other.json"))
    assert not verify(other.public.point, MESSAGE, signature, settings.GOVSHARE_NODE_CODE)
    assert not verify(key.public.point, MESSAGE, b"not a signature", settings.GOVSHARE_NODE_CODE)


def test_gmalg_verifies_our_signature_and_we_verify_gmalgs(settings):
    node = settings.GOVSHARE_NODE_CODE.encode()
    key = load_or_create_node_key()

    # our signature, checked by a pure-Python implementation with the node code as its uid
    r, s = decode_dss_signature(key.sign(MESSAGE))
    checker = gmalg.SM2(pk=b"\x04" + key.public.point, uid=node)
    assert checker.verify(MESSAGE, r.to_bytes(32, "big"), s.to_bytes(32, "big"))
    assert not checker.verify(MESSAGE + b"!", r.to_bytes(32, "big"), s.to_bytes(32, "big"))

    # and the other way round
    signer = gmalg.SM2(sk=key.private, pk=b"\x04" + key.public.point, uid=node)
    their_r, their_s = signer.sign(MESSAGE)
    der = encode_dss_signature(int.from_bytes(their_r, "big"), int.from_bytes(their_s, "big"))
    assert verify(key.public.point, MESSAGE, der, settings.GOVSHARE_NODE_CODE)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_the_openssl_command_verifies_our_signature_with_the_node_code_as_distid(
    settings, tmp_path
):
    key = load_or_create_node_key()
    spki = base64.encodebytes(SM2_SPKI_PREFIX + b"\x04" + key.public.point).decode()
    pem = f"-----BEGIN PUBLIC KEY-----\n{spki}-----END PUBLIC KEY-----\n"
    (tmp_path / "key.pem").write_text(pem)
    (tmp_path / "message").write_bytes(MESSAGE)
    (tmp_path / "signature").write_bytes(key.sign(MESSAGE))

    def openssl_verifies(distid: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                *("openssl", "dgst", "-sm3", "-verify", str(tmp_path / "key.pem")),
                *("-sigopt", f"distid:{distid}", "-signature", str(tmp_path / "signature")),
                str(tmp_path / "message"),
            ],
            capture_output=True,
            text=True,
        )

    assert "Verified OK" in openssl_verifies(settings.GOVSHARE_NODE_CODE).stdout
    assert openssl_verifies("1234567812345678").returncode != 0  # the default ID is not ours


def test_rotation_keeps_the_old_public_key_so_what_it_signed_still_verifies(settings):
    old = load_or_create_node_key()
    signature = old.sign(MESSAGE)

    new = rotate_node_key()

    keys = known_public_keys()
    assert new.key_id != old.key_id and load_node_key().key_id == new.key_id
    assert set(keys) == {old.key_id, new.key_id} and keys[old.key_id].retired
    assert keys[old.key_id].verify(MESSAGE, signature)
    assert stat.S_IMODE(settings.GOVSHARE_NODE_KEY_FILE.stat().st_mode) == 0o600
    rotate_node_key()
    assert old.key_id in known_public_keys()  # still there after a second rotation


def test_a_public_key_slipped_into_the_file_without_the_data_key_is_refused(settings):
    # given the node's key file, and someone who adds a key of their own to its list
    load_or_create_node_key()
    intruder = load_or_create_node_key(settings.GOVSHARE_NODE_KEY_FILE.with_name("intruder.json"))
    path = settings.GOVSHARE_NODE_KEY_FILE
    content = json.loads(path.read_text())
    content["retired"].append(intruder.public.as_dict())
    path.write_text(json.dumps(content))

    # then the node trusts none of the file's keys
    with pytest.raises(NodeKeyError, match="altered"):
        known_public_keys()


def test_the_key_file_is_useless_under_another_data_key(settings):
    load_or_create_node_key()
    settings.GOVSHARE_DATA_KEY = "00" * 16
    with pytest.raises(NodeKeyError):
        load_node_key()
