"""Where file packages live on the node: the packages directory, and the consumers' destination
folders (目标文件夹), each a single directory name under VAR_DIR/destinations, never a path."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

DIRECTORY_NAME = re.compile(r"^[\w][\w.\-]{0,99}$")


def packages_dir() -> Path:
    return Path(settings.GOVSHARE_PACKAGE_DIR)


def destinations_dir() -> Path:
    return Path(settings.VAR_DIR) / "destinations"


def is_directory_name(name: str) -> bool:
    """One directory name (no separator, no "..", not hidden): what a DropFolder may name."""
    return bool(DIRECTORY_NAME.match(name)) and ".." not in name
