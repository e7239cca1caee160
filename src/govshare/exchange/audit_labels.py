"""What each action exchange records in the audit trail is called on the audit pages (审计动作);
registered with ``core.evidence.audit.action_labels`` when the app is ready."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "exchange.connection.create": _("Add data source connection"),
    "exchange.connection.update": _("Edit data source connection"),
    "exchange.connection.test": _("Test data source connection"),
    "exchange.mount.table.set": _("Mount database table"),
    "exchange.mount.api.set": _("Mount upstream interface"),
    "exchange.mount.files.set": _("Mount file set"),
    "exchange.mount.files.list": _("List files of file set again"),
    "exchange.mount.test": _("Test mount"),
    "exchange.subscription.create": _("Create table subscription"),
    "exchange.subscription.configure": _("Configure table subscription"),
    "exchange.subscription.state": _("Table subscription follows its grant"),
    "exchange.folder.create": _("Add destination folder"),
    "exchange.package.build": _("Request file package"),
    "exchange.package.ready": _("File package built"),
    "exchange.package.fail": _("File package failed"),
    "exchange.package.download": _("Download file package"),
    "exchange.package.expire": _("File package expired"),
    "exchange.sync.start": _("Start table sync run"),
}
