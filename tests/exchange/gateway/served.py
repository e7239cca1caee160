"""A real gateway server in another process, and commands run in yet other processes.

``served_database`` hands the test's committed database to other processes: PostgreSQL's test
database as it is; SQLite's in-memory one copied to a file (the backup API), after which the test
reads and writes it only through this module's commands (``python -m`` this module).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.readiness import READY_SECONDS, wait_for_http

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
SECRET_KEY = "gateway-process-tests-secret-key-0123456789abcdefghij"


def served_database(var_dir: Path) -> str:
    """A DATABASE_URL another process can open, holding what the test committed."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = var_dir / "served.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{settings['NAME']}"


def process_env(var_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVSHARE_TEST")}
    env.update(
        DATABASE_URL=database_url,
        GOVSHARE_VAR_DIR=str(var_dir),  # the provider's table is in <var>/sources
        SECRET_KEY=SECRET_KEY,
        DJANGO_SETTINGS_MODULE="govshare.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        LOG_LEVEL="WARNING",
        GOVSHARE_REDIS_URL="",
    )
    return env


def command(env: dict[str, str], *args: str) -> Any:
    """Run one of this module's commands in a new process; its JSON answer."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.exchange.gateway.served", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=READY_SECONDS,  # against a hang only: a loaded machine may be slow
    )
    if done.returncode != 0:
        raise RuntimeError(done.stdout + done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


class Server:
    """granian serving the gateway on 127.0.0.1:port, in its own process group."""

    def __init__(
        self,
        env: dict[str, str],
        port: int,
        log: Path,
        target: str = "govshare.exchange.gateway.app:create_app",
    ) -> None:
        """``target``: the gateway's app factory, or ``govshare.asgi:application`` (one port)."""
        self.env, self.port, self.log, self.target = env, port, log, target
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        args = [
            str(BIN / "granian"),
            *("--interface", "asgi", "--host", "127.0.0.1"),
            *(["--factory"] if self.target.endswith(":create_app") else []),
            *("--port", str(self.port), "--workers", "1", "--no-ws", "--log-level", "warning"),
            self.target,
        ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                args, env=self.env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True
            )
        wait_for_http(f"{self.url}/gw/health", process=self.process, log=self.log, ok_only=True)

    def kill(self) -> None:
        """SIGKILL the server and its worker (the process group we started), no warning."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=READY_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# --- commands (run in their own process) --------------------------------------------------


def revoke(credential_id: str) -> dict[str, Any]:
    """Revoke a credential the way the sharing services do: write, then bump the stamp."""
    from django.utils import timezone

    from govshare.core import stamps
    from govshare.sharing.models import AppCredential

    AppCredential.objects.filter(pk=int(credential_id)).update(revoked=timezone.now())
    stamps.bump("gateway")
    return {"revoked": int(credential_id)}


def deliveries() -> dict[str, Any]:
    from govshare.core.evidence.chain import verify_chain
    from govshare.exchange.models import DeliveryRecord

    report = verify_chain(DeliveryRecord)
    records = list(DeliveryRecord.objects.values_list("request_id", "status"))
    return {"intact": report.is_intact, "reason": report.reason, "records": records}


def main(argv: list[str]) -> int:
    import django

    django.setup()
    commands = {"revoke": revoke, "deliveries": deliveries}
    print(json.dumps(commands[argv[0]](*argv[1:])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
