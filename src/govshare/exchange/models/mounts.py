"""Connectors behind the catalog's mount slots (挂接): database tables, upstream APIs, file sets."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from govshare.core.permissions import RestrictedQuerySet


class Engine(models.TextChoices):
    POSTGRESQL = "postgresql", "PostgreSQL"
    MYSQL = "mysql", "MySQL / MariaDB"
    SQLITE = "sqlite", "SQLite"


class ConnectionRole(models.TextChoices):
    """What a connection is for: a provider's source (read only) or a consumer's front-end
    database (前置库) that table subscriptions write into."""

    SOURCE = "source", _("Data source")
    DESTINATION = "destination", _("Front-end database")


class HttpMethod(models.TextChoices):
    GET = "GET", "GET"
    POST = "POST", "POST"


class Connection(models.Model):
    """A department's database: a provider's source (数据源) or a consumer's front-end database
    (前置库). The password is SM4-encrypted at rest."""

    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="connections",
    )
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(
        _("role"), max_length=12, choices=ConnectionRole, default=ConnectionRole.SOURCE
    )
    engine = models.CharField(_("database engine"), max_length=12, choices=Engine)
    host = models.CharField(_("host"), max_length=255, blank=True)
    port = models.PositiveIntegerField(_("port"), null=True, blank=True)
    # For SQLite, a file name inside the node's data-source directory (never an arbitrary path).
    database = models.CharField(_("database"), max_length=255)
    username = models.CharField(_("user name"), max_length=100, blank=True)
    password_encrypted = models.TextField(blank=True)
    last_tested = models.DateTimeField(_("last tested"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("database connection")
        verbose_name_plural = _("database connections")
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="connection_name")
        ]

    def __str__(self) -> str:
        return self.name


class TableMount(models.Model):
    """A resource served from one table: key items for lookups, item → column, fixed row filter."""

    mount = models.OneToOneField(
        "catalog.Mount", on_delete=models.CASCADE, related_name="table_config"
    )
    connection = models.ForeignKey(
        Connection, verbose_name=_("connection"), on_delete=models.PROTECT, related_name="tables"
    )
    table = models.CharField(_("table"), max_length=128)
    # Item identifiers a caller may look rows up by (exact match).
    key_items = models.JSONField(_("key items"), default=list)
    # {item identifier: column name}
    columns = models.JSONField(_("item to column mapping"), default=dict)
    # {column name: value}: rows outside it are never served, whoever asks.
    row_filter = models.JSONField(_("row filter"), default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.connection} · {self.table}"


class ApiMount(models.Model):
    """A resource served by an upstream HTTP API, called with the provider's credentials."""

    mount = models.OneToOneField(
        "catalog.Mount", on_delete=models.CASCADE, related_name="api_config"
    )
    base_url = models.URLField(_("base URL"), max_length=500)
    method = models.CharField(_("method"), max_length=6, choices=HttpMethod, default="GET")
    auth_header = models.CharField(_("authentication header"), max_length=64, blank=True)
    auth_value_encrypted = models.TextField(blank=True)
    timeout_ms = models.PositiveIntegerField(_("timeout (ms)"), default=5000)
    # {item identifier: request parameter}: the parameters a caller may pass on.
    key_params = models.JSONField(_("key parameters"), default=dict)
    # Dotted path to the list of records in the upstream's JSON answer ("" = the answer itself).
    records_path = models.CharField(_("records path"), max_length=100, blank=True)
    # {item identifier: response field}
    fields = models.JSONField(_("item to field mapping"), default=dict)

    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.base_url


class FileSet(models.Model):
    """A resource published as files; registered and listed now, delivered in a later round."""

    mount = models.OneToOneField(
        "catalog.Mount", on_delete=models.CASCADE, related_name="fileset_config"
    )
    location = models.CharField(_("location"), max_length=500)
    pattern = models.CharField(_("file name pattern"), max_length=100, default="*")
    files = models.JSONField(_("files"), default=list, blank=True)
    listed = models.DateTimeField(_("last listed"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.location
