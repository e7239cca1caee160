"""The sharing tests build on published catalog resources: reload the catalog's reference data."""

from tests.catalog.conftest import catalog_reference_data  # noqa: F401  (autouse fixture)
