"""REST endpoint downloading a file package (文件包) with a personal token, resumably: the same
bytes, Range handling and counting as the page URL (exchange/views/package_downloads.py)."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Router

from govshare.core.errors import ErrorCode
from govshare.core.web.api import ApiError, ErrorOut, auth_user, responses
from govshare.core.web.api_inputs import ObjectId
from govshare.exchange.files.services import PackageUnavailable
from govshare.exchange.models import FilePackage
from govshare.exchange.views.package_downloads import package_response

router = Router(tags=["exchange"])


@router.get(
    "/packages/{id}/download",
    response=responses({200: None, 206: None, 410: ErrorOut, 416: None}),
    summary="Download a file package",
    operation_id="exchange_package_download",
)
def package_download(request: HttpRequest, id: ObjectId) -> HttpResponseBase:
    """The package's ZIP (manifest, SM2 signature, data files). ``Range: bytes=N-`` resumes it
    (206 Partial Content; ``If-Range`` with the ETag, the package's SM3, guards the resumption);
    a range past the end is 416; an expired package is 410. The grant's consumer and provider
    departments and admins only; others get 404."""
    user = auth_user(request)
    packages = FilePackage.objects.restrict(user, "download").select_related("grant")
    package = packages.filter(pk=id).first()
    if package is None:
        raise ApiError(404, ErrorCode.NOT_FOUND, _("Not found."))
    try:
        return package_response(request, user, package)
    except PackageUnavailable as unavailable:
        code = ErrorCode.NOT_FOUND if unavailable.status == 410 else ErrorCode.CONFLICT
        raise ApiError(unavailable.status, code, unavailable.message) from None


__all__ = ["router"]
