"""The catalog's reference data (classification tree, data elements) comes from a data
migration; a transactional test elsewhere flushes it, so each catalog test that uses the
database makes sure it is there (idempotent, cheap)."""

from __future__ import annotations

import pytest
from django.apps import apps

from govshare.catalog import seed

DB_FIXTURES = {"db", "transactional_db", "live_server", "client", "admin_client"}


@pytest.fixture(autouse=True)
def catalog_reference_data(request):
    uses_db = request.node.get_closest_marker("django_db") or DB_FIXTURES & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue("_django_db_helper")  # the database is set up for this test
        seed.load(apps, None)
