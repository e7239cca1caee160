"""Commands the lease tests run in another process, on that process's database:

python -m tests.core.lease_commands enqueue-copy SOURCE TARGET BATCH [HOLD]
python -m tests.core.lease_commands reap
"""

from __future__ import annotations

import json
import sys

import django


def main(argv: list[str]) -> None:
    django.setup()
    from govshare.core.leases import reap_expired_leases
    from tests.core.leased_tasks import copy_rows

    if argv[0] == "enqueue-copy":
        result = copy_rows.enqueue(argv[1], argv[2], int(argv[3]), *argv[4:])
        print(json.dumps({"id": str(result.id)}))
    elif argv[0] == "reap":
        reaped = reap_expired_leases()
        print(json.dumps([item.task_id for item in reaped if item.requeued]))


if __name__ == "__main__":
    main(sys.argv[1:])
