"""Background job of file exchange (run by ``govshare worker``): packing a package."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govshare.core.jobs import Rejected, job_task
from govshare.core.models import Job
from govshare.exchange.files import services
from govshare.exchange.models import PackageStatus


def package_verdict(result: dict[str, Any]) -> list[str]:
    if result.get("status") == PackageStatus.READY:
        return [
            _("Package %(number)s is ready: %(size)s bytes, %(rows)s rows.")
            % {key: result.get(key, "") for key in ("number", "size", "rows")}
        ]
    return [
        _("Package %(number)s was not built: %(error)s")
        % {key: result.get(key, "") for key in ("number", "error")}
    ]


@job_task(title=gettext_lazy("Build a file package"), verdict=package_verdict)
def build_file_package(job: Job, package_id: int) -> dict[str, Any] | Rejected:
    """Pack the package (文件包); a package that could not be built ends the job rejected, with
    the reason on the package."""
    package = services.package_build(package_id)
    # Every build also sweeps: expired packages leave the disk whenever packages are made, even
    # where no schedule runs `govshare package expire`.
    services.expire_packages()
    result = {
        "number": package.number,
        "status": package.status,
        "size": package.size,
        "rows": package.row_count,
        "error": package.error,
    }
    return result if package.status == PackageStatus.READY else Rejected(result)
