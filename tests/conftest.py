"""Fixtures for the permission matrix: two departments and a user for every role."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test import Client
from django.utils import translation

from govshare.core.roles import Role
from tests.factories import PASSWORD, DepartmentFactory, member


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests sign in thousands of times. The production hasher is
    checked by tests/identity/test_services.py::test_passwords_are_hashed_with_argon2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Serve static files by their own names: the live server finds them without the manifest
    that collectstatic writes, so tests do not depend on a prior set-up step."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def node_evidence_files(settings, tmp_path_factory):
    """Each test signs with a node key and writes checkpoints of its own: the files under var/
    belong to the node this checkout serves (core/evidence/signing.py and checkpoints.py)."""
    directory = tmp_path_factory.mktemp("evidence")
    settings.GOVSHARE_NODE_KEY_FILE = directory / "node_key.json"
    settings.GOVSHARE_CHECKPOINT_DIR = directory / "checkpoints"


@pytest.fixture
def authority(db):
    """The sharing authority (大数据局)."""
    return DepartmentFactory(name="大数据局", is_sharing_authority=True)


@pytest.fixture
def dept_a(db):
    return DepartmentFactory(name="公安局")


@pytest.fixture
def dept_b(db):
    return DepartmentFactory(name="人社局")


@pytest.fixture
def admin_user(authority):
    return member(authority, Role.PLATFORM_ADMIN, username="admin")


@pytest.fixture
def reviewer(authority):
    return member(authority, Role.REVIEWER, username="reviewer")


@pytest.fixture
def auditor(authority):
    return member(authority, Role.AUDITOR, username="auditor")


@pytest.fixture
def officer_a(dept_a):
    return member(dept_a, Role.DATA_OFFICER, username="officer_a")


@pytest.fixture
def staff_a(dept_a):
    return member(dept_a, Role.STAFF, username="staff_a")


@pytest.fixture
def officer_b(dept_b):
    return member(dept_b, Role.DATA_OFFICER, username="officer_b")


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def client_for():
    """``client_for(user)``: a test client signed in as ``user``."""
    return signed_in


@pytest.fixture
def english():
    """Run the test's own code in English (pages still answer in the browser's language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def connections_closed_after_each_request():
    """Django's pages served in a2wsgi's threads keep connections the test cannot reach
    afterwards (a ResourceWarning when collected, in whichever test runs then); CONN_MAX_AGE=0
    closes each at the end of its request."""
    config = connections.settings["default"]
    kept = config["CONN_MAX_AGE"]
    config["CONN_MAX_AGE"] = 0
    yield
    config["CONN_MAX_AGE"] = kept
