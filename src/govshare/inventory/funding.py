"""The funding gate (不予安排运维经费): projects and systems that fail the sharing requirement.

The plans: "systems that should connect to the sharing platform but do not get no operations
funding" (应接未接的，不予安排运维经费). A live system (在建/在用) fails when it

- is not connected to the sharing platform — unless it is classified (涉密, kept out of sharing
  by 国办发〔2017〕39号) or marked as not required to connect;
- holds no catalog resources — checked only once the catalog registers a resource counter;
- is a zombie (僵尸系统: any finding of the latest assessment);
- duplicates another system (the "replaceable" zombie rule).

A project fails when it has no application systems or any of its systems fails.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govshare.core.actors import Actor
from govshare.core.registry import Registry
from govshare.core.xlsx.writer import ColumnFormat, Style, Workbook
from govshare.inventory.choices import LIVE_LIFECYCLES, Connection, ZombieRule
from govshare.inventory.models import InformationSystem, Project, ZombieFinding

# system ids → number of catalog resources each holds (absent ids hold none).
ResourceCounter = Callable[[Collection[int]], Mapping[int, int]]
resource_counters: Registry[ResourceCounter] = Registry("resource counters per system")

# Sharing statuses that meet the requirement.
CONNECTED_OR_EXEMPT = frozenset({Connection.CONNECTED, Connection.NOT_REQUIRED})


class GateReason(StrEnum):
    NOT_CONNECTED = "not_connected"
    NO_RESOURCES = "no_resources"
    ZOMBIE = "zombie"
    DUPLICATE = "duplicate"
    NO_SYSTEMS = "no_systems"


class RowKind(StrEnum):
    PROJECT = "project"
    SYSTEM = "system"


KIND_LABELS = {RowKind.PROJECT: gettext_lazy("IT project"), RowKind.SYSTEM: gettext_lazy("System")}


@dataclass(frozen=True)
class Failure:
    """One reason a row fails, with the words the report shows."""

    code: GateReason
    message: str


@dataclass(frozen=True)
class GateRow:
    """A project or a live system with the reasons it fails (none: it passes)."""

    kind: RowKind
    pk: int
    name: str
    department_id: int
    department: str
    annual_om_cost: Decimal
    failures: tuple[Failure, ...]

    @property
    def fails(self) -> bool:
        return bool(self.failures)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def reason_codes(self) -> list[str]:
        return sorted({failure.code.value for failure in self.failures})

    @property
    def reasons(self) -> str:
        """The reasons joined with the Chinese semicolon, as the report prints them."""
        return "；".join(failure.message for failure in self.failures)


# --- the catalog hook -----------------------------------------------------------------------


def register_resource_counter(counter: ResourceCounter) -> ResourceCounter:
    """Called by the catalog (which builds on the inventory) to count resources per system."""
    return resource_counters.register(counter)


def unregister_resource_counter(counter: ResourceCounter) -> None:
    resource_counters.unregister(counter)


def checks_resources() -> bool:
    """Whether "no catalog resources" is checked: only once a catalog counts them."""
    return bool(resource_counters)


def resource_counts(system_ids: Collection[int]) -> dict[int, int] | None:
    """Resources per system summed over the registered counters; None when none is registered."""
    if not resource_counters:
        return None
    totals = dict.fromkeys(system_ids, 0)
    for counter in resource_counters:
        for system_id, count in counter(system_ids).items():
            if system_id in totals:
                totals[system_id] += count
    return totals


# --- the report -----------------------------------------------------------------------------


def funding_gate(user: Actor, department_id: int | None = None) -> list[GateRow]:
    """Every project and every live system ``user`` may see, each with its failures."""
    projects = Project.objects.restrict(user, "view").select_related("department")
    systems = InformationSystem.objects.restrict(user, "view").filter(lifecycle__in=LIVE_LIFECYCLES)
    if department_id is not None:
        projects = projects.filter(department_id=department_id)
        systems = systems.filter(department_id=department_id)
    project_list = list(projects.prefetch_related("systems").order_by("department__name", "name"))
    system_list = list(systems.select_related("department").order_by("department__name", "name"))
    judged = _judge_systems(
        {s.pk: s for s in system_list} | {s.pk: s for p in project_list for s in p.systems.all()}
    )
    rows = [_project_row(project, judged) for project in project_list]
    return rows + [_system_row(system, judged[system.pk]) for system in system_list]


def judge_project(project: Project) -> tuple[GateRow, dict[int, tuple[Failure, ...]]]:
    """One project's row, and the failures of each of its systems (the project page)."""
    judged = _judge_systems({s.pk: s for s in project.systems.all()})
    return _project_row(project, judged), judged


def failing(rows: Iterable[GateRow]) -> list[GateRow]:
    return [row for row in rows if row.fails]


def withheld_cost(rows: Iterable[GateRow], kind: RowKind) -> Decimal:
    """The O&M cost per year of the failing rows of ``kind`` (不予安排的运维经费)."""
    return sum((r.annual_om_cost for r in rows if r.fails and r.kind == kind), Decimal(0))


def _judge_systems(systems: dict[int, InformationSystem]) -> dict[int, tuple[Failure, ...]]:
    findings = _findings(systems)
    resources = resource_counts(list(systems))
    return {
        pk: tuple(_system_failures(system, findings.get(pk, []), resources))
        for pk, system in systems.items()
    }


def _findings(systems: Mapping[int, InformationSystem]) -> dict[int, list[ZombieFinding]]:
    rows = (
        ZombieFinding.objects.standing()
        .filter(system_id__in=list(systems))
        .select_related("matched_system")
    )
    found: dict[int, list[ZombieFinding]] = {}
    for finding in rows.order_by("rule", "pk"):
        found.setdefault(finding.system_id, []).append(finding)
    return found


def must_share(system: InformationSystem) -> bool:
    """Systems held to the sharing requirement: not classified, not exempted from connecting."""
    return not system.is_secret and system.sharing_status != Connection.NOT_REQUIRED


def _system_failures(
    system: InformationSystem,
    findings: list[ZombieFinding],
    resources: Mapping[int, int] | None,
) -> list[Failure]:
    failures = []
    if must_share(system) and system.sharing_status not in CONNECTED_OR_EXEMPT:
        failures.append(
            Failure(GateReason.NOT_CONNECTED, _("not connected to the sharing platform"))
        )
    if resources is not None and must_share(system) and not resources.get(system.pk):
        failures.append(Failure(GateReason.NO_RESOURCES, _("no catalog resources registered")))
    if findings:
        rules = "、".join(dict.fromkeys(str(f.get_rule_display()) for f in findings))
        failures.append(
            Failure(GateReason.ZOMBIE, _("zombie system (%(rules)s)") % {"rules": rules})
        )
    failures.extend(
        _duplicate(finding) for finding in findings if finding.rule == ZombieRule.REPLACEABLE
    )
    return failures


def _duplicate(finding: ZombieFinding) -> Failure:
    other = finding.matched_system.name if finding.matched_system else _("another system")
    return Failure(
        GateReason.DUPLICATE,
        _("duplicates %(system)s (similarity %(score).2f)")
        % {"system": other, "score": finding.score or 0},
    )


def _project_row(project: Project, judged: Mapping[int, tuple[Failure, ...]]) -> GateRow:
    systems = sorted(project.systems.all(), key=lambda s: s.name)
    failures: list[Failure] = []
    if not systems:
        failures.append(Failure(GateReason.NO_SYSTEMS, _("no application systems filed")))
    for system in systems:
        failures.extend(
            Failure(failure.code, f"{system.name}：{failure.message}")
            for failure in judged[system.pk]
        )
    return _row(RowKind.PROJECT, project, failures)


def _system_row(system: InformationSystem, failures: tuple[Failure, ...]) -> GateRow:
    return _row(RowKind.SYSTEM, system, list(failures))


def _row(kind: RowKind, obj: Project | InformationSystem, failures: list[Failure]) -> GateRow:
    return GateRow(
        kind=kind,
        pk=obj.pk,
        name=obj.name,
        department_id=obj.department_id,
        department=obj.department.name,
        annual_om_cost=obj.annual_om_cost,
        failures=tuple(failures),
    )


# --- the Excel report -----------------------------------------------------------------------


HEADING = Style(bold=True, fill="DCE6F1", border=True)
MONEY = Style(num_format="0.00")
WRAP = Style(wrap=True, valign="top")


def gate_workbook(rows: list[GateRow]) -> bytes:
    """The funding-gate report as a workbook: one row per project/system, and a summary."""
    output = io.BytesIO()
    with Workbook(output) as book:
        widths = (18, 30, 10, 14, 16, 70)
        formats = [ColumnFormat(w, MONEY if i == 3 else WRAP if i == 5 else None)
                   for i, w in enumerate(widths)]  # fmt: skip
        sheet = book.add_sheet(_("Funding gate"), columns=formats, freeze=(1, 0))
        headings = [
            _("Department"),
            _("Name"),
            _("Project or system"),
            _("O&M cost per year (10k yuan)"),
            _("Funding"),
            _("Reasons"),
        ]
        sheet.append(headings, styles=[HEADING] * len(headings))
        for row in rows:
            sheet.append(
                [row.department, row.name, row.kind_label, float(row.annual_om_cost),
                 verdict(row), row.reasons]
            )  # fmt: skip
        _write_summary(book, rows)
    return output.getvalue()


def verdict(row: GateRow) -> str:
    return _("No O&M funding") if row.fails else _("Meets the requirement")


def _write_summary(book: Workbook, rows: list[GateRow]) -> None:
    columns = [ColumnFormat(36), ColumnFormat(16)]
    sheet = book.add_sheet(_("Summary"), columns=columns)
    figures: list[tuple[str, int | Decimal, Style | None]] = [
        (_("Projects"), sum(1 for r in rows if r.kind == RowKind.PROJECT), None),
        (_("Projects failing"), sum(1 for r in failing(rows) if r.kind == RowKind.PROJECT), None),
        (_("Systems"), sum(1 for r in rows if r.kind == RowKind.SYSTEM), None),
        (_("Systems failing"), sum(1 for r in failing(rows) if r.kind == RowKind.SYSTEM), None),
        (_("O&M cost of failing projects (10k yuan)"),
         withheld_cost(rows, RowKind.PROJECT), MONEY),
        (_("O&M cost of failing systems (10k yuan)"), withheld_cost(rows, RowKind.SYSTEM), MONEY),
    ]  # fmt: skip
    sheet.append([_("Figure"), _("Value")], styles=[HEADING, HEADING])
    for label, value, style in figures:
        sheet.append([str(label), float(value)], styles=[None, style])
