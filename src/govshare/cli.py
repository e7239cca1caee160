"""The ``govshare`` command: Django's management commands plus ``run`` and short aliases.

govshare run [--host H] [--port P] [--workers N] [--no-worker]
govshare migrate | demo | createadmin | worker | audit verify [--deliveries]
govshare sync list | run SUBSCRIPTION [--full] [--progress] | reconcile SUBSCRIPTION | schedule
govshare audit checkpoint [--every [S]] | audit key [--rotate]
govshare <any Django management command>
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from govshare.guards import (
    Held,
    StartRefused,
    default_sqlite_path,
    hold_for_run,
    make_data_files_private,
)

ALIASES = {"worker": "db_worker"}
# Files the command creates (databases, data sources, uploads, keys) are its user's alone
# (issue #11 item 6: the SQLite databases were 0644).
UMASK = 0o077
# granian's time for a request's headers, which is also how long an idle connection is kept.
HEADER_TIMEOUT_SECONDS = float(os.environ.get("GOVSHARE_HEADER_TIMEOUT", "10"))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govshare.settings")
    os.umask(UMASK)
    if argv[:1] == ["run"]:
        return run(argv[1:])
    from django.core.management import execute_from_command_line

    if argv:
        argv[0] = ALIASES.get(argv[0], argv[0])
    execute_from_command_line(["govshare", *argv])
    if argv[:1] == ["migrate"]:
        _make_data_files_private()
    return 0


def run(argv: list[str]) -> int:
    """Serve the platform on one port with granian: ``govshare.asgi`` sends ``/gw/`` to the
    exchange gateway and every other path to Django (WSGI, in a2wsgi's threads); unless told
    not to, also a task worker, the health prober, the grant-expiry sweep and the sync
    scheduler."""
    parser = argparse.ArgumentParser(prog="govshare run")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
    parser.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("GOVSHARE_WSGI_THREADS", "8")),
        help="Django page threads per worker (the gateway runs on the event loop)",
    )
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start the task worker, the prober, the sweep and the checkpointer",
    )
    options = parser.parse_args(argv)
    bin_dir = Path(sys.executable).parent
    try:
        held = _hold_for_run(options.host, options.port)
    except StartRefused as refusal:
        print(f"govshare run: {refusal}; not started", file=sys.stderr, flush=True)
        return 1
    _make_data_files_private()
    _ensure_static(bin_dir)
    os.environ["GOVSHARE_WSGI_THREADS"] = str(options.threads)
    server = [
        str(bin_dir / "granian"),
        "--interface",
        "asgi",
        "--host",
        options.host,
        "--port",
        str(options.port),
        "--workers",
        str(options.workers),
        "--no-ws",
        # HTTP/1 only: in "auto" granian waits without a timeout for a new connection's first
        # bytes (to tell HTTP/2 from HTTP/1), so a connection that sends nothing is held for ever
        # and takes one of the worker's connection slots.
        *("--http", "1"),
        *("--http1-header-read-timeout", str(_milliseconds(HEADER_TIMEOUT_SECONDS))),
        "govshare.asgi:application",
    ]
    children = [subprocess.Popen(server)]
    if not options.no_worker:
        govshare = str(bin_dir / "govshare")
        children.append(subprocess.Popen([govshare, "worker"]))
        # The health prober's schedule (健康探测): every GOVSHARE_PROBE_SECONDS, first after 20 s.
        every = os.environ.get("GOVSHARE_PROBE_SECONDS", "900")
        children.append(subprocess.Popen([govshare, "probe", "--every", every, "--delay", "20"]))
        # Grants past their validity become "expired" (授权到期): hourly, first after a minute.
        sweep = os.environ.get("GOVSHARE_SWEEP_SECONDS", "3600")
        children.append(
            subprocess.Popen([govshare, "sharing_sweep", "--every", sweep, "--delay", "60"])
        )
        # Table subscriptions (库表订阅): every GOVSHARE_SYNC_SCHEDULE_SECONDS queue the runs
        # that are due, requeue the tasks of dead workers and restart stalled runs.
        schedule = os.environ.get("GOVSHARE_SYNC_SCHEDULE_SECONDS", "60")
        children.append(
            subprocess.Popen([govshare, "sync", "schedule", "--every", schedule, "--delay", "30"])
        )
        # Signed checkpoints of the evidence chains (签名检查点): now, every
        # GOVSHARE_CHECKPOINT_SECONDS, and a final one when stopped. Last in the list: _wait stops
        # it after the others, so that one covers their last records.
        children.append(start_checkpointer([govshare, "audit", "checkpoint", "--every"]))
    print(f"govshare: serving http://{options.host}:{options.port}/", flush=True)
    try:
        return _wait(children)
    finally:
        held.release()


def _hold_for_run(host: str, port: int) -> Held:
    """The port, and an embedded database's writer, for as long as this process serves."""
    import django

    django.setup()
    return hold_for_run(host, port)


def _make_data_files_private() -> None:
    # Here, not at the top: the CLI starts before django.setup(), and this module loads models.
    from govshare.exchange.connectors.sql import sources_dir

    for path in make_data_files_private(default_sqlite_path(), sources_dir()):
        print(f"govshare: {path} was readable by others; now 0600", file=sys.stderr)


def _milliseconds(seconds: float) -> int:
    return min(max(round(seconds * 1000), 1), 60_000)  # granian's range


def start_checkpointer(args: list[str], **popen: Any) -> subprocess.Popen[Any]:
    """Start the checkpointer with SIGTERM and SIGINT blocked (a mask survives exec): a stop
    that comes while it is still starting waits for it and gets its final checkpoint, instead
    of killing it. In a process group of its own, so a terminal's Ctrl-C reaches it only
    through ``_wait``, after everything else has stopped."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    try:
        return subprocess.Popen(args, process_group=0, **popen)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _ensure_static(bin_dir: Path) -> None:
    """Collect the static files when this var directory has none yet (pages need the manifest)."""
    import django

    django.setup()
    from django.conf import settings

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        subprocess.run(
            [str(bin_dir / "govshare"), "collectstatic", "--noinput", "-v", "0"], check=True
        )


def _wait(children: list[subprocess.Popen[bytes]]) -> int:
    """Serve until the server (the first child) exits or a signal stops it; then stop the
    others, and the last child (the checkpointer) only once they have exited."""

    def stop(signum: int, _frame: object) -> None:
        _send_term(children[:1])  # only signal here: the main flow is inside wait()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = children[0].wait()
    for group in (children[1:-1], children[-1:]):
        _send_term(group)
        for child in group:
            child.wait()
    return code


def _send_term(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)


if __name__ == "__main__":
    sys.exit(main())
