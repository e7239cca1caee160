"""Enumerations of the orgs package."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    """Administrative level (行政级别) of a GB/T 2260 region."""

    COUNTRY = "country", _("National")
    PROVINCE = "province", _("Provincial")
    CITY = "city", _("Prefectural")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")


class DepartmentKind(models.TextChoices):
    """Kind of department (部门类别)."""

    PARTY = "party", _("Party committee department")
    GOVERNMENT = "government", _("Government department")
    INSTITUTION = "institution", _("Public institution")
    VERTICAL = "vertical", _("Vertically managed")
    OTHER = "other", _("Other")
