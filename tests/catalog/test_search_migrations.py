"""The search index across migrations (issue 12, item 8): the migrations that create and reshape
the index (0003–0005) write no index row themselves, since they run at their point in history;
they mark the index, and today's code fills it once migrate is done (CatalogConfig's
post_migrate step)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from govshare.catalog.search.index import is_marked_for_rebuild
from govshare.catalog.search.page import search
from govshare.catalog.services import resource_create, resource_review, resource_submit
from tests.catalog.factories import items_data, resource_data


def test_a_fresh_migrate_leaves_no_rebuild_pending(db):
    # given the test database, made by migrate from zero
    # then the migrations' mark was taken up by the post_migrate rebuild
    assert not is_marked_for_rebuild()


@pytest.mark.django_db(transaction=True)
def test_a_catalog_migrated_across_the_index_migrations_is_searchable(officer_a, reviewer, dept_a):
    # given a published resource in a catalog whose index does not exist yet (as a database of
    # the time before migration 0003 had)
    resource = resource_create(
        actor=officer_a, provider=dept_a, data=resource_data(), items=items_data()
    )
    resource_submit(actor=officer_a, resource=resource)
    resource_review(actor=reviewer, resource=resource, approve=True)
    call_command("migrate", "catalog", "0002", verbosity=0)

    # when the catalog is migrated to today through 0003–0005
    call_command("migrate", verbosity=0)

    # then the index holds it as today's code writes it: found by a word, by pinyin initials
    assert [hit.resource.pk for hit in search(officer_a, "人口").hits] == [resource.pk]
    assert [hit.resource.pk for hit in search(officer_a, "hjrk").hits] == [resource.pk]
    assert not is_marked_for_rebuild()
