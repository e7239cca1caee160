"""Downloading a package: the grant's parties only, resumable with HTTP Range (RFC 9110 §14),
410 once expired, counted once per download — on the page URL, the API, and a live server."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govshare.core.crypto import sm3_hex
from govshare.core.models import AuditEvent
from govshare.core.web.downloads import ByteRange, RangeNotSatisfiable, requested_range
from govshare.exchange.files.services import build_package, expire_packages, package_path
from govshare.exchange.files.verify import verify_package
from govshare.exchange.models import FilePackage, PackageStatus
from govshare.identity.services import token_create
from tests.exchange.files.conftest import built, file_world
from tests.readiness import READY_SECONDS

pytestmark = pytest.mark.django_db

SIZE = 1000


# --- the Range header -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "wanted"),
    [
        (None, None),
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=100-", ByteRange(100, 999)),
        ("bytes=900-5000", ByteRange(900, 999)),  # the end is clipped to the file
        ("bytes=-10", ByteRange(990, 999)),  # a suffix: the last ten bytes
        ("bytes=-5000", ByteRange(0, 999)),
        ("bytes=0-0", ByteRange(0, 0)),
        ("bytes=5-1", None),  # invalid: ignored, the whole file goes
        ("bytes=0-1,5-9", None),  # several ranges: this server sends the whole file
        ("items=0-1", None),  # another unit
        ("bytes=abc", None),
        ("bytes=-", None),
    ],
)
def test_a_range_header_is_read_as_rfc_9110_says(header, wanted):
    assert requested_range(header, SIZE) == wanted


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_a_range_past_the_end_is_not_satisfiable(header):
    with pytest.raises(RangeNotSatisfiable):
        requested_range(header, SIZE)


# --- the page URL ----------------------------------------------------------------------------


@pytest.fixture
def package(files) -> FilePackage:
    return built(build_package(files.consumer_officer, files.grant, format="csv"))


def url(package: FilePackage) -> str:
    return reverse("exchange:package-download", args=[package.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def downloads(package: FilePackage) -> int:
    package.refresh_from_db()
    return package.downloads


def test_the_consumer_downloads_the_whole_package_once_counted(files, package, client_for):
    # when the consumer department's staff downloads it
    response = client_for(files.consumer_staff).get(url(package))

    # then the ZIP comes whole, resumable, named by its number, its SM3 as ETag
    assert response.status_code == 200
    assert body(response) == package_path(package).read_bytes()
    assert response["Accept-Ranges"] == "bytes" and response["ETag"] == f'"{package.sm3}"'
    assert response["Content-Length"] == str(package.size)
    assert f"{package.number}.zip" in response["Content-Disposition"]
    assert downloads(package) == 1
    assert AuditEvent.objects.filter(action="exchange.package.download").count() == 1


def test_a_range_resumes_and_is_not_counted_again(files, package, client_for):
    client = client_for(files.consumer_staff)
    whole = package_path(package).read_bytes()

    first = client.get(url(package), HTTP_RANGE="bytes=0-99")
    rest = client.get(url(package), HTTP_RANGE="bytes=100-", HTTP_IF_RANGE=f'"{package.sm3}"')

    assert first.status_code == rest.status_code == 206
    assert first["Content-Range"] == f"bytes 0-99/{package.size}"
    assert rest["Content-Range"] == f"bytes 100-{package.size - 1}/{package.size}"
    assert body(first) + body(rest) == whole
    assert downloads(package) == 1  # the first bytes started it; the rest resumed it


def test_a_range_under_a_stale_if_range_gets_the_whole_file(files, package, client_for):
    response = client_for(files.consumer_staff).get(
        url(package), HTTP_RANGE="bytes=100-", HTTP_IF_RANGE='"' + "0" * 64 + '"'
    )
    assert response.status_code == 200
    assert body(response) == package_path(package).read_bytes()


def test_a_range_past_the_end_is_416(files, package, client_for):
    response = client_for(files.consumer_staff).get(
        url(package), HTTP_RANGE=f"bytes={package.size}-"
    )
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{package.size}"


def test_a_malformed_range_gets_the_whole_file(files, package, client_for):
    response = client_for(files.consumer_staff).get(url(package), HTTP_RANGE="bytes=x-\x00")
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["provider_officer", "admin"])
def test_the_provider_and_an_admin_may_download(files, package, client_for, admin_user, who):
    user = admin_user if who == "admin" else getattr(files, who)
    assert client_for(user).get(url(package)).status_code == 200


@pytest.mark.parametrize("who", ["other_officer", "auditor"])
def test_another_department_and_an_auditor_get_404_and_nothing_is_counted(
    package, client_for, officer_c, auditor, who
):
    user = officer_c if who == "other_officer" else auditor
    assert client_for(user).get(url(package)).status_code == 404
    assert downloads(package) == 0


def test_anonymous_is_sent_to_sign_in(package):
    response = Client().get(url(package))
    assert response.status_code == 302 and "login" in response["Location"]
    assert downloads(package) == 0


def test_an_expired_package_is_410_with_a_clear_message_even_before_the_sweep(
    files, package, client_for
):
    # given a package past its expiry that the sweep has not reached yet
    FilePackage.objects.filter(pk=package.pk).update(expires=timezone.now() - dt.timedelta(1))

    # then the download page says it expired
    response = client_for(files.consumer_staff).get(url(package))
    assert response.status_code == 410
    assert package.number in response.content.decode()

    # and the sweep deletes the file and marks it expired
    assert expire_packages() == 1
    package.refresh_from_db()
    assert package.status == PackageStatus.EXPIRED and not package_path(package).exists()
    assert client_for(files.consumer_staff).get(url(package)).status_code == 410
    assert expire_packages() == 0


def test_the_sweep_leaves_packages_not_yet_expired(package):
    assert expire_packages(now=timezone.now() + dt.timedelta(hours=71)) == 0
    assert expire_packages(now=timezone.now() + dt.timedelta(hours=73)) == 1


def test_a_package_still_building_is_409(files, client_for):
    package = build_package(files.consumer_officer, files.grant, format="csv")
    assert client_for(files.consumer_staff).get(url(package)).status_code == 409


# --- the API ---------------------------------------------------------------------------------


def api_url(package: FilePackage | int) -> str:
    pk = package if isinstance(package, int) else package.pk
    return f"/api/v1/exchange/packages/{pk}/download"


def bearer(user) -> dict[str, str]:
    token = token_create(actor=user, name="下载")
    return {"HTTP_AUTHORIZATION": f"Bearer {token.plaintext}"}


def test_the_api_serves_the_same_ranges_with_a_token(files, package):
    headers = bearer(files.consumer_staff)
    response = Client().get(api_url(package), HTTP_RANGE="bytes=10-19", **headers)
    assert response.status_code == 206
    assert body(response) == package_path(package).read_bytes()[10:20]


def test_the_api_refuses_without_a_token_and_hides_others_packages(files, package, officer_c):
    assert Client().get(api_url(package)).status_code == 401
    response = Client().get(api_url(package), **bearer(officer_c))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert Client().get(api_url(0), **bearer(officer_c)).status_code == 422
    assert downloads(package) == 0


def test_the_api_answers_410_for_an_expired_package(files, package):
    FilePackage.objects.filter(pk=package.pk).update(expires=timezone.now())
    response = Client().get(api_url(package), **bearer(files.consumer_staff))
    assert response.status_code == 410
    assert package.number in response.json()["message"]


# --- a real server, a download cut off and resumed ---------------------------------------------


@pytest.mark.usefixtures("connections_closed_after_each_request")
def test_a_download_cut_off_midway_resumes_and_the_joined_bytes_verify(
    transactional_db, sources_dir, live_server
):
    # given a ready package of a grant, and the consumer's API token
    files = file_world(sources_dir)
    package = built(build_package(files.consumer_officer, files.grant, format="xlsx"))
    headers = {
        "Authorization": f"Bearer {token_create(actor=files.consumer_staff, name='t').plaintext}"
    }
    address = f"{live_server.url}{api_url(package)}"

    # when the download stops after its first chunk (the connection dropped)
    received = bytearray()
    with httpx.Client(timeout=READY_SECONDS) as client:
        with client.stream("GET", address, headers=headers) as response:
            assert response.status_code == 200
            etag = response.headers["ETag"]
            for chunk in response.iter_bytes(chunk_size=4096):
                received += chunk
                if len(received) >= package.size // 2:
                    break
        cut_at = len(received)
        assert 0 < cut_at < package.size

        # and is resumed from where it stopped, guarded by the ETag
        resumed = client.get(
            address, headers={**headers, "Range": f"bytes={cut_at}-", "If-Range": etag}
        )

    # then the rest arrives as 206 and the joined bytes are the package: its SM3, and it verifies
    assert resumed.status_code == 206
    assert resumed.headers["Content-Range"] == f"bytes {cut_at}-{package.size - 1}/{package.size}"
    joined = bytes(received) + resumed.content
    assert sm3_hex(joined) == package.sm3
    saved = sources_dir / "received.zip"
    saved.write_bytes(joined)
    assert verify_package(saved).ok
    assert downloads(package) == 1
    assert AuditEvent.objects.filter(action="exchange.package.download").count() == 1


def test_head_tells_the_size_and_etag_without_the_bytes_and_is_not_counted(
    files, package, client_for
):
    response = client_for(files.consumer_staff).head(url(package))
    assert response.status_code == 200
    assert response["Content-Length"] == str(package.size)
    assert response["ETag"] == f'"{package.sm3}"'
    assert body(response) == b"" and downloads(package) == 0
