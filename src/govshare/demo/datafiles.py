"""The demo's data files (``demo/data/*.yaml``): what the demo city is made of, read once."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def load(name: str) -> Any:
    """The parsed ``data/<name>.yaml`` (safe loader: plain data, no Python objects)."""
    with (DATA_DIR / f"{name}.yaml").open(encoding="utf-8") as file:
        return yaml.safe_load(file)


def joined(items: list[str]) -> str:
    """Data items listed one per line in a file, as the "; "-separated string the builders
    parse."""
    return "; ".join(items)
