"""Fixtures of the file-exchange tests: the gateway tests' world (a provider's table in a SQLite
file under a temporary sources directory, a consumer with an application), a 文件 grant on it,
and the node's package and destination directories under a temporary VAR_DIR."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from govshare.core.roles import Role
from govshare.exchange.files.services import package_build
from govshare.exchange.models import DropFolder, FilePackage
from govshare.sharing.models import Grant
from tests.exchange.gateway.factories import World, build_world, grant
from tests.factories import member

# The grant delivers the ID number as it is, the name and phone masked; 住址 is not granted.
GRANTED = {"GMSFHM": "none", "XM": "name", "XBDM": "none", "LXDH": "phone"}


@pytest.fixture(autouse=True)
def node_dirs(settings, tmp_path) -> Path:
    settings.VAR_DIR = tmp_path / "var"
    settings.GOVSHARE_PACKAGE_DIR = tmp_path / "var" / "packages"
    return settings.VAR_DIR


@dataclass
class FileWorld:
    world: World
    grant: Grant
    consumer_officer: Any
    consumer_staff: Any
    provider_officer: Any

    @property
    def consumer(self) -> Any:
        return self.world.consumer

    @property
    def provider(self) -> Any:
        return self.world.provider


def file_world(sources_dir: Path, **grant_fields: Any) -> FileWorld:
    world = build_world(sources_dir)
    granted = grant(world, dict(GRANTED), mode="file", **grant_fields)
    return FileWorld(
        world=world,
        grant=granted,
        consumer_officer=world.officer,
        consumer_staff=member(world.consumer, Role.STAFF),
        provider_officer=member(world.provider, Role.DATA_OFFICER),
    )


@pytest.fixture
def files(db, sources_dir) -> FileWorld:
    return file_world(sources_dir)


@pytest.fixture
def folder(files) -> DropFolder:
    return DropFolder.objects.create(department=files.consumer, name="前置机", directory="inbox")


def built(package: FilePackage) -> FilePackage:
    """Run the build job's work now (the worker's part), and the package as it then stands."""
    package_build(package.pk)
    package.refresh_from_db()
    return package
