"""Building file packages (文件包): what they hold, who may ask for one, what the build records."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import openpyxl
import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from govshare.core.models import AuditEvent, Job
from govshare.exchange.files import export
from govshare.exchange.files.packing import MANIFEST, SIGNATURE
from govshare.exchange.files.services import (
    build_package,
    expire_packages,
    folder_path,
    package_path,
)
from govshare.exchange.files.verify import verify_package
from govshare.exchange.masking import mask
from govshare.exchange.models import (
    CallMode,
    DeliveryRecord,
    DropFolder,
    FilePackage,
    PackageFormat,
    PackageStatus,
    TableMount,
)
from govshare.exchange.services.mounts import fileset_set
from govshare.sharing.models import Grant
from tests.exchange.files.conftest import built, file_world
from tests.exchange.gateway.factories import PEOPLE, SOURCE_FILE, grant, write_source

pytestmark = pytest.mark.django_db

HEADERS = ["GMSFHM", "XM", "XBDM", "LXDH"]


def member_text(path, suffix: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(suffix)]
        return archive.read(name)


def test_a_csv_package_holds_the_granted_items_masked_and_a_signed_manifest(files):
    # given an active 文件 grant of four items, two of them masked
    # when the consumer's data officer asks for a CSV package and the job builds it
    package = build_package(files.consumer_officer, files.grant, format="csv")
    assert package.status == PackageStatus.BUILDING and package.number.startswith("WJ")
    package = built(package)

    # then it is ready, and the CSV (UTF-8 with BOM) holds exactly the granted items, masked
    assert package.status == PackageStatus.READY, package.error
    raw = member_text(package_path(package), ".csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert rows[1:] == [[p[0], mask("name", p[1]), p[2], mask("phone", p[4])] for p in PEOPLE]
    assert rows[3][1] == "欧阳**"
    assert package.row_count == len(PEOPLE)

    # and its manifest names the parties, the items with their masking, and every file
    manifest = json.loads(member_text(package_path(package), MANIFEST))
    assert manifest["package"] == package.number
    assert manifest["request"] == files.grant.request.number
    assert manifest["consumer"]["id"] == files.consumer.pk
    assert manifest["provider"]["id"] == files.provider.pk
    assert [(i["identifier"], i["masking"]) for i in manifest["items"]] == [
        ("GMSFHM", "none"), ("XM", "name"), ("XBDM", "none"), ("LXDH", "phone")
    ]  # fmt: skip
    [listed] = manifest["files"]
    assert listed["name"].endswith(".csv") and listed["size"] == len(raw)
    assert manifest["expires"] > manifest["created"]
    assert package.manifest == manifest

    # and it verifies, the package's SM3 is stored, and the signature names the node key
    assert verify_package(package_path(package)).ok
    assert len(package.sm3) == 64 and package.size == package_path(package).stat().st_size
    signature = json.loads(member_text(package_path(package), SIGNATURE))
    assert signature["algorithm"] == "SM2-SM3" and len(signature["public_key"]) == 130


def test_the_grants_and_the_mounts_row_filters_apply(db, sources_dir):
    # given a grant restricted to region 370702 (two of the three people)
    files = file_world(sources_dir, row_filter={})
    TableMount.objects.filter(mount__resource=files.world.resource).update(
        columns={**TableMount.objects.get().columns, "QH": "qh"}
    )
    Grant.objects.filter(pk=files.grant.pk).update(row_filter={"QH": ["370702"]})
    files.grant.refresh_from_db()

    # when a JSON package is built
    package = built(build_package(files.consumer_officer, files.grant, format="json"))

    # then it holds those two rows only, as JSON Lines
    lines = member_text(package_path(package), ".jsonl").decode().splitlines()
    assert [json.loads(line)["GMSFHM"] for line in lines] == [p[0] for p in PEOPLE[:2]]
    assert set(json.loads(lines[0])) == set(HEADERS)


def test_xlsx_and_parquet_packages_hold_the_same_rows(files):
    # when the same grant is packed as XLSX and as Parquet
    xlsx = built(build_package(files.consumer_officer, files.grant, format="xlsx"))
    parquet = built(build_package(files.consumer_officer, files.grant, format="parquet"))

    # then both hold the masked rows under the item identifiers
    book = openpyxl.load_workbook(io.BytesIO(member_text(package_path(xlsx), ".xlsx")))
    sheet_rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    frame = pl.read_parquet(io.BytesIO(member_text(package_path(parquet), ".parquet")))
    assert sheet_rows[0] == HEADERS == frame.columns
    assert sheet_rows[1:] == [list(row) for row in frame.rows()]
    assert frame["XM"].to_list() == ["张*", "李*", "欧阳**"]
    assert xlsx.row_count == parquet.row_count == 3
    assert verify_package(package_path(xlsx)).ok and verify_package(package_path(parquet)).ok


def test_the_providers_registered_files_are_packed_as_they_are(db, sources_dir):
    # given a resource whose file set lists two files
    files = file_world(sources_dir)
    (sources_dir / "exports").mkdir()
    (sources_dir / "exports" / "2025.csv").write_bytes(b"a,b\n1,2\n")
    (sources_dir / "exports" / "readme.txt").write_text("说明", encoding="utf-8")
    fileset_set(
        actor=files.provider_officer,
        resource=files.world.resource,
        data={"location": "exports", "pattern": "*"},
    )

    # when a package of the files is built
    package = built(build_package(files.consumer_officer, files.grant, format="files"))

    # then it holds both, byte for byte, listed with their digests
    assert package.status == PackageStatus.READY, package.error
    assert member_text(package_path(package), "2025.csv") == b"a,b\n1,2\n"
    names = [f["name"] for f in package.manifest["files"]]
    assert names == ["data/2025.csv", "data/readme.txt"]
    assert verify_package(package_path(package)).ok


def test_each_package_is_one_record_in_the_delivery_log(files):
    # when a package is built
    package = built(build_package(files.consumer_officer, files.grant, format="csv"))

    # then one file-mode record carries its rows, items, masked items and SM3
    record = DeliveryRecord.objects.get(seq=package.delivery_seq)
    assert record.mode == CallMode.FILE and record.status == 200
    assert record.body_digest == package.sm3 and record.row_count == 3
    assert record.items == HEADERS and record.masked == ["XM", "LXDH"]
    assert record.consumer_id == files.consumer.pk and record.provider_id == files.provider.pk
    assert record.grant_id == files.grant.pk and record.request_id == package.number
    assert AuditEvent.objects.filter(action="exchange.package.ready", object_id=str(package.pk))


def test_a_package_for_a_folder_is_also_written_there_whole(files, folder):
    # when a package is built for the consumer's destination folder
    package = built(build_package(files.consumer_officer, files.grant, format="csv", folder=folder))

    # then the folder holds the same bytes under the package number, and no temporary file
    copied = folder_path(folder) / f"{package.number}.zip"
    assert copied.read_bytes() == package_path(package).read_bytes()
    assert [p.name for p in folder_path(folder).iterdir()] == [copied.name]


def test_a_package_whose_source_cannot_be_read_fails_naming_the_cause(files):
    # given a mount whose table has gone
    TableMount.objects.update(table="gone_table")

    # when a package is built
    package = built(build_package(files.consumer_officer, files.grant, format="csv"))

    # then it failed, saying which table, and no file and no delivery record were left
    assert package.status == PackageStatus.FAILED
    assert "gone_table" in package.error
    assert not package_path(package).exists() and package.delivery_seq is None
    assert not DeliveryRecord.objects.filter(mode=CallMode.FILE).exists()
    assert not list(package_path(package).parent.iterdir())


# --- who may ask, and for what ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["consumer_officer", "provider_officer", "admin"])
def test_either_partys_data_officer_or_an_admin_may_ask(files, admin_user, who):
    actor = admin_user if who == "admin" else getattr(files, who)
    package = build_package(actor, files.grant, format="csv")
    assert FilePackage.objects.filter(pk=package.pk).exists()
    assert AuditEvent.objects.filter(action="exchange.package.build", object_id=str(package.pk))


@pytest.mark.parametrize("who", ["consumer_staff", "other_officer", "auditor"])
def test_others_may_not_ask_and_nothing_is_written(files, officer_c, auditor, who):
    actor = {"other_officer": officer_c, "auditor": auditor}.get(who) or getattr(files, who)
    with pytest.raises(PermissionDenied):
        build_package(actor, files.grant, format="csv")
    assert not FilePackage.objects.exists() and not Job.objects.exists()


def test_a_grant_of_another_mode_or_not_in_force_is_refused_naming_the_field(files):
    query_grant = grant(files.world, ["XBDM"], mode="query")
    with pytest.raises(ValidationError) as refused:
        build_package(files.consumer_officer, query_grant, format="csv")
    assert set(refused.value.message_dict) == {"grant"}

    files.grant.request.state = "suspended"
    files.grant.request.save()
    files.grant.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        build_package(files.consumer_officer, files.grant, format="tar")
    assert set(refused.value.message_dict) == {"grant", "format"}
    assert not FilePackage.objects.exists()


def test_files_format_needs_a_file_set_and_a_folder_must_be_the_consumers(files):
    elsewhere = DropFolder.objects.create(department=files.provider, name="x", directory="x")
    with pytest.raises(ValidationError) as refused:
        build_package(files.consumer_officer, files.grant, format="files", folder=elsewhere)
    assert set(refused.value.message_dict) == {"format", "folder"}


def test_the_queued_job_builds_the_package_and_sweeps(transactional_db, sources_dir, node_dirs):
    # given an older package past its expiry, and a new one asked for (its job queued when the
    # transaction committed)
    files = file_world(sources_dir)
    old = built(build_package(files.consumer_officer, files.grant, format="json"))
    FilePackage.objects.filter(pk=old.pk).update(expires=timezone.now())
    package = build_package(files.consumer_officer, files.grant, format="csv")

    # when the worker runs
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    # then the package is ready and the job says so
    package.refresh_from_db()
    assert package.status == PackageStatus.READY, package.error
    job = Job.objects.get(name__contains=package.number)
    assert job.status == Job.Status.SUCCEEDED and job.result["number"] == package.number

    # and the old package's file was swept
    old.refresh_from_db()
    assert old.status == PackageStatus.EXPIRED and not package_path(old).exists()


def test_a_package_list_query_count_does_not_grow(files):
    for _ in range(3):
        built(build_package(files.consumer_officer, files.grant, format="csv"))
    with CaptureQueriesContext(connection) as captured:
        list(FilePackage.objects.restrict(files.consumer_officer).select_related("grant"))
    assert len(captured.captured_queries) <= 2


# --- every source engine ---------------------------------------------------------------------


def test_an_export_reads_each_engine_through_a_streamed_cursor(
    db, sources_dir, source, settings, monkeypatch
):
    # given the world's resource served from the same table in SQLite, PostgreSQL and MariaDB
    files = file_world(sources_dir)
    TableMount.objects.filter(mount__resource=files.world.resource).update(
        connection=source.connection,
        table=source.table,
        columns={"GMSFHM": "id_number", "XM": "name", "XBDM": "sex", "LXDH": "region"},
        key_items=["GMSFHM"],
        row_filter={"sex": "2"},
    )
    # and chunks of one row, so the server-side cursor is fetched from again and again
    monkeypatch.setattr(export, "CHUNK_ROWS", 1)

    # when a CSV and a Parquet package are built
    package = built(build_package(files.consumer_officer, files.grant, format="csv"))
    parquet = built(build_package(files.consumer_officer, files.grant, format="parquet"))

    # then both hold the mount's filtered rows (sex 2), in key order, masked as granted
    assert package.status == parquet.status == PackageStatus.READY, package.error + parquet.error
    rows = list(
        csv.reader(io.StringIO(member_text(package_path(package), ".csv").decode("utf-8-sig")))
    )
    assert rows[1:] == [
        ["370702198505052345", "李*", "2", mask("phone", "370702")],
        ["37070319700303345X", "欧阳**", "2", mask("phone", "370703")],
    ]
    frame = pl.read_parquet(io.BytesIO(member_text(package_path(parquet), ".parquet")))
    assert [list(row) for row in frame.rows()] == rows[1:]


def test_a_grant_suspended_before_the_job_runs_gets_no_package(files):
    # given a package asked for, then the grant suspended before the worker reached it
    package = build_package(files.consumer_officer, files.grant, format="csv")
    files.grant.request.state = "suspended"
    files.grant.request.save()

    # when the job runs
    package = built(package)

    # then nothing was packed or delivered, and the package says why
    assert package.status == PackageStatus.FAILED and package.error
    assert not package_path(package).exists() and package.delivery_seq is None


@pytest.mark.parametrize("directory", ["../etc", "a/b", ".hidden", ""])
def test_a_folder_must_name_one_directory(files, directory):
    folder = DropFolder.objects.create(department=files.consumer, name="x", directory=directory)
    with pytest.raises(ValidationError) as refused:
        build_package(files.consumer_officer, files.grant, format="csv", folder=folder)
    assert set(refused.value.message_dict) == {"folder"}


def test_rows_reach_the_writer_in_bounded_chunks(db, sources_dir, monkeypatch):
    # given a source of 3 + 7 generated people and chunks of 4 rows
    files = file_world(sources_dir)
    (sources_dir / SOURCE_FILE).unlink()
    write_source(sources_dir, rows=7)
    monkeypatch.setattr(export, "CHUNK_ROWS", 4)
    sizes: list[int] = []
    write_csv = export.WRITERS[PackageFormat.CSV]

    def counting_writer(path, spec, columns, chunks):
        def counted():
            for rows in chunks:
                sizes.append(len(rows))
                yield rows

        return write_csv(path, spec, columns, counted())

    monkeypatch.setitem(export.WRITERS, PackageFormat.CSV, counting_writer)

    # when a CSV package is built
    package = built(build_package(files.consumer_officer, files.grant, format="csv"))

    # then the writer got the rows four at a time, never the table at once
    assert sizes == [4, 4, 2] and package.row_count == 10


def test_a_build_interrupted_long_ago_is_failed_by_the_sweep(files):
    # given a package whose worker was killed a day ago, and one asked for just now
    old = build_package(files.consumer_officer, files.grant, format="csv")
    FilePackage.objects.filter(pk=old.pk).update(created=timezone.now() - dt.timedelta(hours=25))
    new = build_package(files.consumer_officer, files.grant, format="csv")

    # when the sweep runs
    expire_packages()

    # then the old one failed, saying so, and the new one is still to be built
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.status == PackageStatus.FAILED and old.error
    assert new.status == PackageStatus.BUILDING

    # and if its job runs after all, it packs and delivers nothing
    assert built(old).status == PackageStatus.FAILED
    assert not DeliveryRecord.objects.filter(mode=CallMode.FILE).exists()
