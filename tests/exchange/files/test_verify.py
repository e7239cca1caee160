"""``govshare package verify``: a package verifies only as it was signed; the first thing that
does not hold is named — a changed byte, a missing file, a wrong signature, an edited manifest."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from govshare.core.evidence.signing import UNCOMPRESSED, NodeKey, load_or_create_node_key
from govshare.exchange.files.packing import MANIFEST, SIGNATURE, pack, signature_bytes
from govshare.exchange.files.verify import verify_package

DATA = "data/people.csv"
HEADER = {"package": "WJ2026000001", "request": "GX2026000001", "items": []}


@pytest.fixture(autouse=True)
def english():
    # The verifier speaks the reader's language; these tests read its English words.
    with translation.override("en"):
        yield


@pytest.fixture
def key() -> NodeKey:
    return load_or_create_node_key()


@pytest.fixture
def package(tmp_path, key) -> Path:
    """A good package of two files, signed with the node key."""
    (tmp_path / "people.csv").write_text("GMSFHM,XM\n" + "370702199001011234,张*\n" * 500)
    (tmp_path / "notes.txt").write_text("说明")
    target = tmp_path / "package.zip"
    files = [("people.csv", tmp_path / "people.csv"), ("notes.txt", tmp_path / "notes.txt")]
    pack(target, HEADER, files, key)
    return target


def rewrite(path: Path, change: dict[str, bytes | None]) -> None:
    """Write the archive again with some members replaced (bytes) or left out (None)."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in {**members, **change}.items():
            replaced = change.get(name, content)
            if replaced is not None:
                archive.writestr(name, replaced)


def public_hex(key: NodeKey) -> str:
    return (UNCOMPRESSED + key.public.point).hex()


def other_key(tmp_path: Path) -> NodeKey:
    return load_or_create_node_key(tmp_path / "another_node_key.json")


def test_a_good_package_verifies_with_its_own_key_and_a_pinned_one(package, key):
    report = verify_package(package)
    assert report.ok and report.problem is None
    assert report.checked == [SIGNATURE, DATA, "data/notes.txt"]
    assert verify_package(package, trusted_keys=[public_hex(key)]).ok
    call_command("package", "verify", str(package), "--key", public_hex(key))


def test_one_byte_changed_in_a_file_names_that_file(package):
    # given one byte of the data file's stored bytes changed in place
    with zipfile.ZipFile(package) as archive:
        info = archive.getinfo(DATA)
    raw = bytearray(package.read_bytes())
    name_length, extra_length = struct.unpack(
        "<HH", raw[info.header_offset + 26 : info.header_offset + 30]
    )
    start = info.header_offset + 30 + name_length + extra_length
    raw[start + info.compress_size // 2] ^= 0x01
    package.write_bytes(bytes(raw))

    # then the package does not verify, naming the file
    report = verify_package(package)
    assert not report.ok and report.problem.member == DATA


def test_a_file_changed_and_zipped_again_fails_on_its_digest(package):
    rewrite(package, {DATA: "GMSFHM,XM\n370702199001011234,张三\n".encode()})
    report = verify_package(package)
    assert report.problem.member == DATA
    assert "bytes where the manifest says" in report.problem.reason


def test_a_file_of_the_same_size_changed_fails_on_its_sm3(package):
    with zipfile.ZipFile(package) as archive:
        content = archive.read(DATA)
    rewrite(package, {DATA: content.replace("张*".encode(), "李*".encode(), 1)})
    report = verify_package(package)
    assert report.problem.member == DATA and "SM3" in report.problem.reason


def test_a_missing_file_is_named(package):
    rewrite(package, {DATA: None})
    report = verify_package(package)
    assert report.problem.member == DATA and "missing" in report.problem.reason


def test_a_file_the_manifest_does_not_list_is_named(package):
    rewrite(package, {"data/extra.csv": b"x"})
    report = verify_package(package)
    assert report.problem.member == "data/extra.csv"


def test_an_edited_manifest_fails_its_signature(package):
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read(MANIFEST))
    manifest["expires"] = "2099-01-01T00:00:00+00:00"
    rewrite(package, {MANIFEST: json.dumps(manifest).encode()})
    report = verify_package(package)
    assert report.problem.member == SIGNATURE and "manifest.json" in report.problem.reason


def test_a_wrong_signature_is_named(package, key, tmp_path):
    # given the manifest signed by another key, presented under the node's public key
    with zipfile.ZipFile(package) as archive:
        manifest = archive.read(MANIFEST)
        document = json.loads(archive.read(SIGNATURE))
    document["signature"] = other_key(tmp_path).sign(manifest).hex()
    rewrite(package, {SIGNATURE: json.dumps(document).encode()})

    # then the signature does not verify
    report = verify_package(package)
    assert report.problem.member == SIGNATURE
    with pytest.raises(CommandError, match="manifest.sig"):
        call_command("package", "verify", str(package))


def test_a_package_resigned_by_another_node_fails_against_the_pinned_key(package, key, tmp_path):
    # given the manifest and signature rewritten under someone else's key (valid in itself)
    with zipfile.ZipFile(package) as archive:
        manifest = archive.read(MANIFEST)
    rewrite(package, {SIGNATURE: signature_bytes(manifest, other_key(tmp_path))})

    # then only the package's own key vouches for it: the node's pinned key refuses it
    assert verify_package(package).ok
    report = verify_package(package, trusted_keys=[public_hex(key)])
    assert report.problem.member == SIGNATURE and "not a trusted key" in report.problem.reason


@pytest.mark.parametrize("missing", [MANIFEST, SIGNATURE])
def test_a_package_without_its_manifest_or_signature_is_named(package, missing):
    rewrite(package, {missing: None})
    assert verify_package(package).problem.member == missing


def test_what_is_no_zip_is_named(tmp_path):
    path = tmp_path / "junk.zip"
    path.write_bytes(b"not a zip")
    assert verify_package(path).problem.member == "junk.zip"


def test_the_command_exits_0_when_all_holds_and_1_naming_the_problem(package, tmp_path):
    # given the command as a consumer runs it, in a node directory of its own
    env = {**os.environ, "GOVSHARE_VAR_DIR": str(tmp_path / "consumer"), "DATABASE_URL": ""}
    command = [str(Path(sys.executable).with_name("govshare")), "package", "verify"]

    good = subprocess.run([*command, str(package)], env=env, capture_output=True, text=True)
    assert good.returncode == 0, good.stderr
    assert "verifies" in good.stdout

    rewrite(package, {DATA: None})
    bad = subprocess.run([*command, str(package)], env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and DATA in bad.stderr

    wrong_key = subprocess.run(
        [*command, str(package), "--key", "zz"], env=env, capture_output=True, text=True
    )
    assert wrong_key.returncode == 2 and "--key" in wrong_key.stderr


@pytest.mark.parametrize("content", [b"[]", b"{}", b"not json", b'{"signature": "zz"}'])
def test_a_signature_document_that_is_no_such_thing_is_named(package, content):
    rewrite(package, {SIGNATURE: content})
    report = verify_package(package)
    assert report.problem.member == SIGNATURE and "signature" in report.problem.reason
