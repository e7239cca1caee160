"""A worker that runs one sync and is killed: ``python -m tests.exchange.sync.engine_child ARGS``
with ARGS a JSON object (the two connections' fields, the run's kind, the sources directory).
It prints ``batch N`` after every committed batch and ``done`` at the end, so the test can
SIGKILL it at a point of its choosing while it works on."""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    arguments = json.loads(sys.argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govshare.settings")
    import django  # noqa: PLC0415  (set up before the models are imported)

    django.setup()
    from django.conf import settings  # noqa: PLC0415

    from govshare.exchange.models import Connection  # noqa: PLC0415
    from govshare.exchange.sync.engine import Progress, run_sync  # noqa: PLC0415
    from tests.exchange.sync.engine_databases import Endpoint, spec_of  # noqa: PLC0415

    settings.GOVSHARE_SOURCES_DIR = arguments["sources_dir"]
    source, target = (
        Endpoint(fields["engine"], None, Connection(**fields))  # type: ignore[arg-type]
        for fields in (arguments["source"], arguments["destination"])
    )
    spec = spec_of(source, target, masked=arguments["masked"], batch_bytes=2000)

    def report(progress: Progress) -> None:
        print(f"batch {progress.batches}", flush=True)

    run_sync(spec, kind=arguments["kind"], run_id=arguments["run_id"], on_batch=report)
    print("done", flush=True)


if __name__ == "__main__":
    main()
