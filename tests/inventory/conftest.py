"""The inventory's tests judge the funding gate on its own: the catalog's resource counter
(registered when the catalog app is ready) is set aside here and tested in tests/catalog."""

from __future__ import annotations

import pytest

from govshare.catalog.funding import resources_per_system
from govshare.inventory import funding


@pytest.fixture(autouse=True)
def gate_without_the_catalog():
    funding.unregister_resource_counter(resources_per_system)
    yield
    funding.register_resource_counter(resources_per_system)
