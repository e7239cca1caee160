"""Seconds to import a clean 500-row census workbook, against just reading it with openpyxl.

Issue 3: "a clean one imports in under 10 seconds". The import reads the workbook, checks every
row with the census rules, then registers every system through ``system_create`` (version and
audit event each) in one transaction. The baseline is the least any import must do: open the
same bytes with openpyxl (read-only) and walk every cell. Both run in this process over a fresh
SQLite database in a temporary directory; each round imports into a new department, and the
median of the rounds is reported. ratio = import / baseline.

Two figures: wall-clock seconds (the goal), and the CPU seconds of this process, which stay
meaningful when other work shares the machine (wall time then grows, CPU time does not).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from _common import ROOT, Figure, is_full, write_figures

ROWS = 500
GOAL_SECONDS = 10.0


def setup_django(var_dir: Path) -> None:
    """A fresh node in ``var_dir``: its own SQLite file and secrets, migrated."""
    for name in ("DATABASE_URL", "SECRET_KEY", "GOVSHARE_DATA_KEY"):
        os.environ.pop(name, None)
    os.environ.update(
        GOVSHARE_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="govshare.settings",
        DEBUG="0",
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def census_records(count: int) -> list[dict[str, Any]]:
    """``count`` valid, varied census rows (the shape a department fills in)."""
    scopes, modes = ["internal", "cross_department", "public"], ["self_built", "joint"]
    domains = ["internet", "extranet_public", "extranet_admin", "private"]
    return [
        {
            "name": f"基准测试业务系统{n:04d}",
            "function_description": f"第{n}项政务业务的受理、审批、办结和统计分析",
            "usage_scope": scopes[n % 3],
            "usage_frequency": "daily",
            "active_users": 50 + n,
            "approving_department": "市发展和改革委员会",
            "approval_date": dt.date(2018, 1 + n % 12, 1),
            "funding_source": "fiscal",
            "construction_mode": modes[n % 2],
            "construction_investment": Decimal(100 + n) / 4,
            "annual_om_cost": Decimal(10 + n % 50),
            "go_live_date": dt.date(2019, 1 + n % 12, 15),
            "last_software_update": dt.date(2024, 1 + n % 12, 1),
            "deployment": "gov_cloud",
            "cloud_status": "migrated",
            "network_domain": domains[n % 4],
            "vertical_origin": "local",
            "protection_level": 2 + n % 2,
            "protection_filing_number": f"37070013001-{n:05d}",
            "is_secret": False,
            "sso_status": "connected",
            "sharing_status": "connected" if n % 3 else "in_progress",
            "health_url": f"http://10.20.{n // 250}.{n % 250}:8080/health",
        }
        for n in range(count)
    ]


def officer_of_new_department(n: int) -> tuple[Any, Any]:
    """A department and its data officer (bench fixtures, written directly)."""
    from django.contrib.auth import get_user_model

    from govshare.core.roles import Role
    from govshare.orgs.models import Department, Membership, Region

    region, _created = Region.objects.get_or_create(
        code="370700", defaults={"name": "潍坊市", "level": "city"}
    )
    department = Department.objects.create(
        name=f"基准测试局{n}", uscc=f"11370700BENCH{n:05d}", region=region, level="city"
    )
    user = get_user_model().objects.create(username=f"bench_officer_{n}")
    Membership.objects.create(user=user, department=department, role=Role.DATA_OFFICER)
    return user, department


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


class Stopwatch:
    """Wall-clock and process CPU seconds of a ``with`` block."""

    def __enter__(self) -> Stopwatch:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timing = Timing(time.perf_counter() - self.wall, time.process_time() - self.cpu)


def read_only_timing(content: bytes) -> Timing:
    """The baseline: open the workbook read-only and touch every cell of the first sheet."""
    from openpyxl import load_workbook

    with Stopwatch() as watch:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        cells = sum(len(row) for row in book.worksheets[0].iter_rows(values_only=True))
        book.close()
    assert cells >= ROWS, "the workbook holds no rows"
    return watch.timing


def import_timing(content: bytes, round_number: int) -> Timing:
    from govshare.inventory import workbook
    from govshare.inventory.models import InformationSystem

    user, department = officer_of_new_department(round_number)
    with Stopwatch() as watch:
        result = workbook.census_import(actor=user, department=department, content=content)
    if not result.is_valid:
        raise RuntimeError(f"the clean workbook did not import: {result.errors[:5]}")
    assert InformationSystem.objects.filter(department=department).count() == ROWS
    return watch.timing


def run() -> list[Figure]:
    rounds = 5 if is_full() else 2
    with tempfile.TemporaryDirectory(prefix="govshare-bench-") as tmp:
        setup_django(Path(tmp))
        from govshare.inventory import workbook

        content = workbook.write_census(census_records(ROWS))
        imports, reads = [], []
        for round_number in range(rounds):  # alternate, so drift on the machine hits both
            reads.append(read_only_timing(content))
            imports.append(import_timing(content, round_number))
    rounds_text = ", ".join(
        f"{i.wall:.2f}/{r.wall:.3f}" for i, r in zip(imports, reads, strict=True)
    )
    print(f"import/read wall per round: {rounds_text} s ({ROWS} rows, {len(content)} bytes)")
    return [
        _figure(
            "census_import_500_rows_seconds", [t.wall for t in imports], [t.wall for t in reads]
        ),
        _figure(
            "census_import_500_rows_cpu_seconds", [t.cpu for t in imports], [t.cpu for t in reads]
        ),
    ]


def _figure(name: str, imports: list[float], reads: list[float]) -> Figure:
    value, baseline = statistics.median(imports), statistics.median(reads)
    return Figure(
        figure=name,
        value=round(value, 3),
        baseline=round(baseline, 3),
        ratio=round(value / baseline, 2),
        goal=f"< {GOAL_SECONDS:.0f} s",
        unit="s",
    )


def main() -> int:
    write_figures("census_import", run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
