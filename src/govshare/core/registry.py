"""Registries: how a lower package calls into a higher one without importing it (DESIGN.md, Layers).

The lower package declares a ``Registry`` of what it needs (a function, a label table, a page
section); the higher package registers its entry in its ``AppConfig.ready()``. The lower package
reads the entries and never names the package that filled them. A module-level registry lives as
long as the process, like Django's own app registry; registering twice is harmless, so a
``ready()`` that runs again (tests that reload apps) does not double an entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class Registry(Generic[T]):
    """Entries registered by higher packages, in registration order (or by ``order_by``)."""

    def __init__(
        self,
        name: str,
        *,
        order_by: Callable[[T], Any] | None = None,
        same: Callable[[T], Any] | None = None,
    ) -> None:
        """``order_by`` sorts the entries; ``same`` says which entries are one (default: equal)."""
        self.name = name
        self._order_by = order_by
        self._same = same or (lambda entry: entry)
        self._entries: list[T] = []

    def register(self, entry: T) -> T:
        """Add ``entry`` unless it is there already; returns it, so it also decorates."""
        key = self._same(entry)
        if all(self._same(existing) != key for existing in self._entries):
            self._entries.append(entry)
            if self._order_by is not None:
                self._entries.sort(key=self._order_by)
        return entry

    def unregister(self, entry: T) -> None:
        if entry in self._entries:
            self._entries.remove(entry)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._entries))

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def only(self) -> T:
        """The single entry of a registry that needs exactly one (say, who resolves roles)."""
        if len(self._entries) != 1:
            raise ImproperlyConfigured(
                f"registry {self.name!r} needs exactly one entry, has {len(self._entries)}: "
                "is the app that fills it in INSTALLED_APPS?"
            )
        return self._entries[0]


K = TypeVar("K")
V = TypeVar("V")
D = TypeVar("D")


def look_up(tables: Registry[Mapping[K, V]], key: K, default: D) -> V | D:
    """``key``'s value in the first registered table that has it (label tables: audit actions,
    import rules), else ``default``."""
    for table in tables:
        if key in table:
            return table[key]
    return default
