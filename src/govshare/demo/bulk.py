"""The bulk-exchange part of the demo city (issue 13): 人社局's front-end database (前置库) with
two table subscriptions from the provider databases, a few runs of history, and one file package.

人社局's data officer registers the front-end database (a SQLite file beside the provider
databases) and points the two 库表 subscriptions the sharing demo granted at it; the runs are
executed here, in this process, as a worker would: a full load, then a few rows changed at the
source and the incremental run that brings them, then a reconciliation. 住建局's 文件 grant gets
one CSV package. Everything goes through the services, as the officers would do it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from django.contrib.auth import get_user_model

from govshare.core.actors import Actor
from govshare.demo.city import DEPARTMENTS
from govshare.exchange.connectors.sql import sources_dir
from govshare.exchange.files.services import build_package, package_build
from govshare.exchange.models import (
    Connection,
    ConnectionRole,
    FilePackage,
    Subscription,
    SubscriptionState,
    SyncMode,
    SyncRun,
)
from govshare.exchange.services import connection_create
from govshare.exchange.services.subscriptions import subscription_configure
from govshare.exchange.sync import runner, tasks
from govshare.exchange.sync.spec import spec_for, table_mount_of
from govshare.orgs.models import Department
from govshare.sharing.choices import DeliveryMode, RequestState
from govshare.sharing.models import Grant

Say = Callable[[str], None]

FRONT_FILE = "demo_rsj_front.sqlite3"
CONSUMER, CONSUMER_OFFICER = "rsj", "rs_officer"
PACKAGE_CONSUMER_OFFICER = "zj_officer"
CHANGED_ROWS = 3


def load_bulk(actor: Actor, say: Say) -> None:
    users = {user.username: user for user in get_user_model().objects.all()}
    officer = users.get(CONSUMER_OFFICER, users["admin"])
    department = Department.objects.get(name=_department_name(CONSUMER))
    front = _front_database(officer, department)
    ran = 0
    for subscription in Subscription.objects.filter(grant__consumer=department).order_by("pk"):
        if subscription.destination_id is None:
            subscription = subscription_configure(
                actor=officer,
                subscription=subscription,
                # no update-time column in the demo tables: changes are found by key comparison
                data={"destination": front, "mode": SyncMode.KEY_COMPARE},
            )
        if subscription.state != SubscriptionState.ACTIVE or subscription.runs.exists():
            continue
        _history(officer, subscription)
        ran += 1
    packages = _package(users.get(PACKAGE_CONSUMER_OFFICER, users["admin"]))
    say(f"bulk: {ran} subscription(s) loaded into {FRONT_FILE}; {packages} package(s) built")


def _department_name(key: str) -> str:
    return next(d[1] for d in DEPARTMENTS if d[0] == key)


def _front_database(officer: Actor, department: Department) -> Connection:
    existing = Connection.objects.filter(
        department=department, role=ConnectionRole.DESTINATION, database=FRONT_FILE
    ).first()
    if existing is not None:
        return existing
    sqlite3.connect(sources_dir() / FRONT_FILE).close()  # the consumer's own (empty) database
    return connection_create(
        actor=officer,
        department=department,
        data={"name": "人社局接收前置库（演示）", "engine": "sqlite", "database": FRONT_FILE},
        role=ConnectionRole.DESTINATION,
    )


def _history(officer: Actor, subscription: Subscription) -> None:
    """A full load; three rows changed at the source and the incremental run that brings
    them; a reconciliation that proves the copy consistent."""
    _execute(runner.start_run(officer, subscription, enqueue=False))
    _change_source_rows(subscription)
    subscription.refresh_from_db()
    _execute(runner.start_run(officer, subscription, enqueue=False))
    subscription.refresh_from_db()
    _execute(runner.start_reconcile(officer, subscription, enqueue=False))


def _execute(run: SyncRun) -> None:
    tasks.execute(run.pk, split=False)


def _change_source_rows(subscription: Subscription) -> None:
    """The provider corrects a few records (the demo's provider database is a SQLite file in
    the data-source directory): the next incremental run must bring exactly these."""
    config = table_mount_of(subscription)
    key = config.columns[config.key_items[0]]
    changeable = [  # a plain text item, delivered as it is: the longest (a name or an address)
        column
        for column in spec_for(subscription).columns
        if not column.is_key and column.masking == "none" and column.data_type == "C"
    ]
    if not changeable:
        return
    column = max(changeable, key=lambda item: item.length or 0).source
    path = sources_dir() / config.connection.database
    with sqlite3.connect(path) as db:
        keys = [row[0] for row in db.execute(
            f'SELECT "{key}" FROM "{config.table}" ORDER BY "{key}" LIMIT ?', (CHANGED_ROWS,)
        )]  # fmt: skip
        for value in keys:
            db.execute(
                f'UPDATE "{config.table}" SET "{column}" = "{column}" || ? WHERE "{key}" = ?',
                ("（更正）", value),
            )


def _package(officer: Actor) -> int:
    grant = (
        Grant.objects.filter(mode=DeliveryMode.FILE, request__state=RequestState.ACTIVE)
        .order_by("pk")
        .first()
    )
    if grant is None or FilePackage.objects.filter(grant=grant).exists():
        return 0
    package = build_package(officer, grant, format="csv")
    package_build(package.pk)  # here and now; the queued job finds it built and leaves it
    return 1
