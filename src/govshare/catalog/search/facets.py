"""The facet bit layout of the search index (分面编码): the one place that knows it.

The eight facets with a fixed set of values are packed into one integer per index row,
``combination``: each holds its value's position in its vocabulary (1-based; 0 for a value
outside it) in ``FIELD_BITS`` bits, at ``SHIFTS[name]``. The index writes rows with
``pack_facets``; a search filters with ``facet_sql``; the counts read a combination in two halves
(``HALVES``), since whole combinations number in the thousands, too many to split into eight
values each, while each half has a few hundred.

APPEND ONLY: the index stores the positions, so reordering a vocabulary (or the facets) needs a
migration that rebuilds the index. Migration 0005 keeps its own copy of the shifts, as a migration
must (tests/catalog/test_search.py checks that the two agree).
"""

from __future__ import annotations

from collections.abc import Mapping

PACKED_FACETS: dict[str, tuple[str, ...]] = {
    "resource_class": ("1", "2", "3"),
    "share_type": ("unconditional", "conditional", "not_shared"),
    "is_open": ("false", "true"),
    "mount_status": ("unmounted", "mounted", "failing"),
    "status": ("draft", "submitted", "published", "withdrawn"),
    "format_class": (
        *("document", "spreadsheet", "database", "image", "media", "self_describing"),
        *("service", "other"),
    ),
    "update_cycle": (
        *("realtime", "daily", "weekly", "monthly", "quarterly", "half_yearly", "yearly"),
        "irregular",
    ),
    "grade": ("", "core", "important", "general_4", "general_3", "general_2", "general_1"),
}
FIELD_BITS = 5
FIELD_MASK = (1 << FIELD_BITS) - 1
SHIFTS = {name: index * FIELD_BITS for index, name in enumerate(PACKED_FACETS)}

# The two halves a combination is counted in: the first five facets (class, share type, open,
# mount status, status) and the other three.
LOW_BITS = 5 * FIELD_BITS
LOW_MASK = (1 << LOW_BITS) - 1
HALVES = {
    "packed_low": f"(d.combination & {LOW_MASK})",
    "packed_high": f"(d.combination >> {LOW_BITS})",
}


def pack_facets(values: Mapping[str, str]) -> int:
    """The ``combination`` of one row: each packed facet's value position in its bits."""
    combination = 0
    for name, vocabulary in PACKED_FACETS.items():
        value = values[name]
        position = vocabulary.index(value) + 1 if value in vocabulary else 0
        combination |= position << SHIFTS[name]
    return combination


def unpack_facet(combination: int, name: str) -> str:
    """The value of packed facet ``name`` in ``combination``."""
    return vocabulary_value(name, (combination >> SHIFTS[name]) & FIELD_MASK)


def vocabulary_value(name: str, position: int) -> str:
    vocabulary = PACKED_FACETS[name]
    return vocabulary[position - 1] if 0 < position <= len(vocabulary) else ""  # "" outside it


def facet_sql(name: str, values: list[str]) -> str:
    """The condition on the index row ``d`` that packed facet ``name`` holds any of ``values``
    (positions are literals: they come from our own vocabulary, never from the request)."""
    positions = ", ".join(str(PACKED_FACETS[name].index(v) + 1) for v in values)
    return f"((d.combination >> {SHIFTS[name]}) & {FIELD_MASK}) IN ({positions})"


def half_of(name: str) -> str:
    """Which half of a combination (a key of ``HALVES``) holds packed facet ``name``."""
    return "packed_low" if SHIFTS[name] < LOW_BITS else "packed_high"


def split_halves(combination: int) -> tuple[int, int]:
    """A whole combination as its (low, high) halves."""
    return combination & LOW_MASK, combination >> LOW_BITS


def position_in_half(name: str, half: int) -> int:
    """Packed facet ``name``'s value position in ``half``, the half that holds it."""
    shift = SHIFTS[name] - (LOW_BITS if half_of(name) == "packed_high" else 0)
    return (half >> shift) & FIELD_MASK
