"""The demo needs the catalog's reference data, which a transactional test may have flushed."""

from __future__ import annotations

import pytest
from django.apps import apps

from govshare.catalog import seed


@pytest.fixture(autouse=True)
def catalog_reference_data(db):
    seed.load(apps, None)
