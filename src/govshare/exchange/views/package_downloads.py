"""Downloading a file package (文件包下载): the grant's parties (and admins) fetch the signed ZIP,
resumably (HTTP Range, RFC 9110 §14). The same response serves the page URL (session) and the
API (token), so both resume alike."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from govshare.core.actors import Actor
from govshare.core.web.downloads import ranged_file_response
from govshare.exchange.files.services import PackageUnavailable, package_download
from govshare.exchange.models import FilePackage

ZIP = "application/zip"
# A request for the whole file, or for its first bytes, starts a download; a later range
# resumes one and is not counted again.
FIRST_BYTES = ("bytes=0-",)


def starts_download(request: HttpRequest) -> bool:
    if request.method == "HEAD":
        return False
    wanted = request.headers.get("Range", "").replace(" ", "")
    return not wanted or wanted.startswith(FIRST_BYTES)


def package_response(request: HttpRequest, actor: Actor, package: FilePackage) -> HttpResponseBase:
    """The package's bytes (or the range asked for); PackageUnavailable when expired or not
    ready."""
    file = package_download(actor, package, counted=starts_download(request))
    return ranged_file_response(
        request, file, etag=package.sm3, content_type=ZIP, download_name=f"{package.number}.zip"
    )


@login_required
@require_safe
def package_download_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    packages = FilePackage.objects.restrict(request.user, "download").select_related("grant")
    package = get_object_or_404(packages, pk=pk)
    try:
        return package_response(request, request.user, package)
    except PackageUnavailable as unavailable:
        title = _("Package expired") if unavailable.status == 410 else _("Package not ready")
        context = {"status": unavailable.status, "title": title, "detail": unavailable.message}
        return render(request, "error.html", context, status=unavailable.status)


urlpatterns: list[URLPattern] = [
    path("packages/<int:pk>/download/", package_download_view, name="package-download"),
]
