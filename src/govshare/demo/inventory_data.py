"""The demo city's systems as written in ``data/systems.yaml``: (department key, name, function
description, census fields and markers), each system's profiles merged under its own fields."""

from __future__ import annotations

from typing import Any

from govshare.demo.datafiles import load

NAMED_FIELDS = ("department", "name", "description", "profiles")


def _system(entry: dict[str, Any], profiles: dict[str, dict[str, Any]]) -> tuple:
    fields: dict[str, Any] = {}
    for profile in entry.get("profiles", ()):
        fields.update(profiles[profile])
    fields.update({k: v for k, v in entry.items() if k not in NAMED_FIELDS})
    return (entry["department"], entry["name"], entry["description"], fields)


_DATA = load("systems")
SYSTEMS: list[tuple[str, str, str, dict[str, Any]]] = [
    _system(entry, _DATA["profiles"]) for entry in _DATA["systems"]
]
