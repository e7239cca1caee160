"""core.registry: how a lower package calls into a higher one without importing it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from govshare.core.evidence.audit import action_label
from govshare.core.registry import Registry, look_up
from govshare.core.roles import principal_sources
from govshare.core.web.api import token_checks


def test_an_entry_registered_twice_is_there_once():
    # Given a registry, when a ready() that runs again registers the same entry, it stays one.
    hooks: Registry[str] = Registry("hooks")
    hooks.register("a")
    hooks.register("a")
    assert list(hooks) == ["a"] and len(hooks) == 1


def test_entries_keep_their_order_or_the_given_one():
    plain: Registry[int] = Registry("plain")
    ordered: Registry[int] = Registry("ordered", order_by=lambda n: -n)
    for n in (2, 3, 1):
        plain.register(n)
        ordered.register(n)
    assert list(plain) == [2, 3, 1]
    assert list(ordered) == [3, 2, 1]


def test_same_says_which_entries_are_one():
    # Given entries that differ but share a key (a section built anew on each ready()),
    # the first registered stays.
    sections: Registry[tuple[str, int]] = Registry("sections", same=lambda pair: pair[0])
    sections.register(("catalog", 1))
    sections.register(("catalog", 2))
    assert list(sections) == [("catalog", 1)]


def test_only_needs_exactly_one_entry():
    sources: Registry[str] = Registry("role sources")
    with pytest.raises(ImproperlyConfigured, match="role sources"):
        sources.only()
    sources.register("orgs")
    assert sources.only() == "orgs"
    sources.register("other")
    with pytest.raises(ImproperlyConfigured):
        sources.only()


def test_unregister_removes_the_entry():
    hooks: Registry[str] = Registry("hooks")
    hooks.register("a")
    hooks.unregister("a")
    hooks.unregister("never there")
    assert not hooks


def test_look_up_reads_the_first_table_that_has_the_key():
    tables: Registry[dict[str, str]] = Registry("labels")
    tables.register({"a": "core's"})
    tables.register({"a": "domain's", "b": "domain's"})
    assert look_up(tables, "a", "?") == "core's"
    assert look_up(tables, "b", "?") == "domain's"
    assert look_up(tables, "c", "?") == "?"


def test_the_domains_fill_core_registries_when_ready():
    # Given the installed apps, core's registries hold what the domains registered.
    assert principal_sources.only().__module__ == "govshare.orgs.roles"
    assert [check.__module__ for check in token_checks] == ["govshare.identity.services"]
    assert action_label("sharing.request.submit") != "sharing.request.submit"
