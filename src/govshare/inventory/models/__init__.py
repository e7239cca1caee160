"""Models of the inventory package, split by topic."""

from govshare.inventory.models.census import CensusEvent, CensusReturn
from govshare.inventory.models.plans import IntegrationItem, IntegrationPlan, Project
from govshare.inventory.models.systems import InformationSystem, SystemRevision
from govshare.inventory.models.usage import HealthCheck, UsageReport
from govshare.inventory.models.worktasks import Milestone, ProgressReport, WorkTask
from govshare.inventory.models.zombies import (
    CleanupRecord,
    ShadowSystem,
    ZombieAssessment,
    ZombieFinding,
)

__all__ = [
    "CensusEvent",
    "CensusReturn",
    "CleanupRecord",
    "HealthCheck",
    "InformationSystem",
    "IntegrationItem",
    "IntegrationPlan",
    "Milestone",
    "ProgressReport",
    "Project",
    "ShadowSystem",
    "SystemRevision",
    "UsageReport",
    "WorkTask",
    "ZombieAssessment",
    "ZombieFinding",
]
