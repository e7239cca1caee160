"""p95 latency of the catalog's Chinese search, against a bare SQL query on the same index.

Issue 4: "with 100,000 resources and 2,000,000 data items: search p95 under 100 ms on SQLite and
PostgreSQL, and within 2x of a bare SQL query on the same index in the same run".

The catalog is generated directly in the database with ``bulk_create`` (departments, resources,
versions, data items, mounts), NOT through the services: the services validate and audit one
resource at a time, which is not what is measured here and would take hours at full size. Then
``reindex_all`` builds the index (jieba segmentation included; its time is printed).

Sizes: 5,000 resources with 100,000 items by default; 100,000 with 2,000,000 with
GOVSHARE_BENCH_FULL=1. About one resource in ten is a draft, so the department user the search
runs as goes through ``restrict`` (published, or its own department's).

Measured, alternately, for each of a set of Chinese queries until the measuring time is used:
- ``search(user, q)``: page 1 of 20, ranked, highlighted, with every facet counted, restricted
  to the user, the resources read through the ORM;
- the baseline: one bare SQL statement on the same index returning the first 20 ids by rank
  (FTS5 MATCH + bm25 on SQLite, ``@@`` + ts_rank on PostgreSQL), with no facets, no count, no
  permission filter and no ORM (figure ``catalog_search_p95_ms_<db>``);
- the same search cold: the cache of totals and facet counts cleared first, as after any
  change to the index (figure ``catalog_search_cold_p95_ms_<db>``); a search asked again, or
  its next page, reads only its ranked page. Cold, the counts are made on a second connection
  while the first ranks the page (``core/alongside.py``, on by default with two cores or more):
  the search uses both cores of this machine, the bare query one. The same cold search with
  everything on one connection, one statement after the other, is printed beside it
  (``catalog_search_cold_p95_ms_<db>_in_turn``); both give the same answers (checked first);
- the SQL search() itself sends when nothing is cached (total and every facet count, and the
  ranked page; restricted; the counts alongside, as above), without the rest: what is left of
  the ratio is the Python around it — reading the page's resources, highlighting (figure
  ``catalog_search_p95_ms_<db>_vs_statement``).

Each database runs in its own process over a fresh database: SQLite in a temporary directory
always; PostgreSQL as well when GOVSHARE_BENCH_PG is a server URL (e.g.
postgresql://postgres@127.0.0.1:5432), in a scratch database with a UTF-8 ctype that is dropped
afterwards. Figures: p95 milliseconds per database (ratio = search / bare).

GOVSHARE_BENCH_KEEP=<dir> keeps the generated catalogs for the next run instead (generating the
full size takes many minutes): SQLite in ``<dir>/sqlite-<size>/``, PostgreSQL in the database
``govshare_bench_search_keep_<size>`` on GOVSHARE_BENCH_PG, which is not dropped. A later run
with the same directory migrates and reuses them, rebuilding the index (into emptied tables, as
a new database has them) only when the code that writes it (index rows, packed facets,
segmentation, migrations) has changed since it was built; delete the directory and drop the
database to start afresh. The figures are then those of the kept catalog, not of a new one.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from _common import BIN, ROOT, Figure, is_full, seconds, write_figures

GOAL_MS = 100.0
GOAL_RATIO = 2.0
PER_PAGE = 20
QUERIES = (
    "人口",
    "营业执照",
    "不动产登记",
    "社会保险 缴纳",
    "企业 信用",
    "药品",
    "学校",
    "行政处罚",
    "公积金",
    "联系电话",
)

# --- the generated catalog ------------------------------------------------------------------

SUBJECTS = (
    "户籍人口 流动人口 企业 个体工商户 营业执照 不动产 社会保险 医疗保险 住房公积金 学校 医院 "
    "药品 食品 道路 机动车 驾驶证 婚姻 出生 死亡 低保 残疾人 退役军人 税务 发票 行政处罚 "
    "行政许可 信用 环境 空气质量 水质 污染源 安全生产 危险化学品 建筑 工程 招投标 政府采购 "
    "养老 就业 失业 农业 耕地 林地 气象 地震 交通 公交 出租车 供水 燃气 专利 商标 科技 文物 "
    "旅游 体育 宗教 社区 网格 房屋 住房 规划 土地 矿产 水利 河道 城管 停车 消防 应急 物资 "
    "价格 统计 审计 财政 预算 国资 海关 邮政 电信 档案 法律援助 律师 公证 司法鉴定 社区矫正 "
    "人民调解 信访 工会 妇联 慈善 志愿者 疫苗 传染病 献血 殡葬 老年人 儿童 助学金"
).split()
ASPECTS = (
    "基本信息 登记信息 变更信息 注销信息 许可信息 处罚信息 检查信息 统计信息 监测数据 台账 "
    "名录 档案 备案信息 审批结果 年报信息 缴纳记录 发放记录 核验接口 目录 清单 评价信息 "
    "投诉信息 补贴信息 资质信息 预警信息"
).split()
DISTRICTS = ("", "奎文区", "潍城区", "坊子区", "寒亭区", "青州市", "诸城市", "寿光市", "高密市")
COMMON_ITEMS = (
    "姓名 公民身份号码 性别 出生日期 民族 联系电话 住址 统一社会信用代码 机构名称 法定代表人 "
    "登记日期 有效期起 有效期止 状态 备注 经办人 审批部门 审批日期 数据来源 更新时间 行政区划 "
    "证件类型 证件号码 电子邮箱 邮政编码 经度 纬度 金额 数量 单位 类别 等级 编号 名称 地址 "
    "开始日期 结束日期 负责人 联系人 所属部门"
).split()
ITEM_SUFFIXES = (
    "编号 类型 名称 状态 日期 金额 面积 数量 等级 地址 说明 结果 依据 期限 范围 标准 方式 "
    "原因 对象 来源"
).split()
USES = ("行政审批", "公共服务", "监管执法", "统计分析", "信用评价", "应急处置")
CYCLES = ("realtime", "daily", "weekly", "monthly", "quarterly", "yearly")
GRADES = ("general_1", "general_2", "general_3", "important", "core")


def setup_django(var_dir: Path, database_url: str | None) -> None:
    """A fresh node in ``var_dir`` (SQLite there, or ``database_url``), migrated."""
    for name in ("DATABASE_URL", "SECRET_KEY", "GOVSHARE_DATA_KEY", "GOVSHARE_TEST_DB_NAME"):
        os.environ.pop(name, None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.update(
        GOVSHARE_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="govshare.settings",
        DEBUG="0",
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def generate(resources: int, items_per_resource: int, departments: int) -> Any:
    """The catalog, written with bulk_create; returns a staff user of the first department."""
    from django.contrib.auth import get_user_model

    from govshare.catalog.models import Category, Mount, Resource, ResourceVersion
    from govshare.core.roles import Role
    from govshare.orgs.models import Department, Membership, Region

    rng = random.Random(4)
    region, _created = Region.objects.get_or_create(
        code="370700", defaults={"name": "潍坊市", "level": "city"}
    )
    providers = Department.objects.bulk_create(
        Department(name=f"基准测试局{n:03d}", uscc=f"1137BENCH{n:09d}", region=region, level="city")
        for n in range(departments)
    )
    user = get_user_model().objects.create(username="bench_staff")
    Membership.objects.create(user=user, department=providers[0], role=Role.STAFF)
    categories = list(Category.objects.filter(level__gte=2))
    batch = 5000
    for start in range(0, resources, batch):
        count = min(batch, resources - start)
        rows = [_resource(rng, start + n, providers, categories) for n in range(count)]
        saved = Resource.objects.bulk_create(Resource(**r["resource"]) for r in rows)
        versions = ResourceVersion.objects.bulk_create(
            ResourceVersion(resource=resource, **r["version"])
            for resource, r in zip(saved, rows, strict=True)
        )
        _link_versions(
            (resource.pk, version.pk, resource.status == "published")
            for resource, version in zip(saved, versions, strict=True)
        )
        _insert_items(
            (version.pk, position, name)
            for version, r in zip(versions, rows, strict=True)
            for position, name in enumerate(_items(rng, r["subject"], items_per_resource), 1)
        )
        Mount.objects.bulk_create(
            Mount(resource=resource, kind="api", status=rng.choice(["mounted", "failing"]))
            for resource in saved
            if rng.random() < 0.5
        )
    return user


def _resource(rng: random.Random, n: int, providers: list, categories: list) -> dict[str, Any]:
    subject, aspect = rng.choice(SUBJECTS), rng.choice(ASPECTS)
    name = f"{rng.choice(DISTRICTS)}{subject}{aspect}"
    provider, category = rng.choice(providers), rng.choice(categories)
    published = rng.random() < 0.9
    items = rng.sample(COMMON_ITEMS, 3)
    code = f"{category.code[:6].ljust(6, '0')}{provider.pk:04d}/{n + 1:06d}"
    share_type = rng.choice(["unconditional", "conditional", "not_shared"])
    return {
        "subject": subject,
        "resource": {
            "provider": provider,
            "name": name,
            "status": "published" if published else "draft",
            "code": code if published else None,
        },
        "version": {
            "number": 1,
            "status": "in_force" if published else "draft",
            "category": category,
            "name": name,
            "summary": f"{subject}{aspect}，记录{'、'.join(items)}等，用于{rng.choice(USES)}",
            "format_class": "database",
            "share_type": share_type,
            "share_condition": "用于政务服务" if share_type == "conditional" else "",
            "share_mode_type": "api",
            "is_open": rng.random() < 0.2,
            "update_cycle": rng.choice(CYCLES),
            "keywords": f"{subject} {aspect}",
            "grade": rng.choice(GRADES),
        },
    }


def _link_versions(rows: Iterable[tuple[int, int, bool]]) -> None:
    """Point each resource at its version: in force when published, else being edited."""
    from django.db import connection

    from govshare.catalog.models import Resource

    table = Resource._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET current_version_id = %s, working_version_id = %s WHERE id = %s",
            [(v if live else None, None if live else v, r) for r, v, live in rows],
        )


def _items(rng: random.Random, subject: str, count: int) -> list[str]:
    """Item names: a third from the common pool, the rest the subject's own (不动产编号 …)."""
    common = rng.sample(COMMON_ITEMS, min(count // 3, len(COMMON_ITEMS)))
    return common + [
        f"{subject}{suffix}" for suffix in rng.sample(ITEM_SUFFIXES, count - len(common))
    ]


def _insert_items(rows: Iterable[tuple[int, int, str]]) -> None:
    """Data items in plain executemany: two million model instances would dominate the run."""
    from django.db import connection

    from govshare.catalog.models import DataItem

    sql = (
        f"INSERT INTO {DataItem._meta.db_table} (version_id, position, name, identifier, "
        "data_type, description, share_type, is_open, grade, is_personal, masking) "
        "VALUES (%s, %s, %s, %s, 'C', '', 'conditional', %s, 'general_1', %s, 'none')"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(v, p, name, f"F{p:03d}", False, False) for v, p, name in rows])


# --- measuring ------------------------------------------------------------------------------


def bare_query(query: str) -> list[int]:
    """The baseline: the first page of ids by rank, one statement on the index."""
    from django.db import connection

    from govshare.catalog import chinese_text
    from govshare.catalog.search import index
    from govshare.catalog.search import query as search_query

    clauses = chinese_text.parse_query(query)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            weights = ", ".join(map(str, search_query.BM25_WEIGHTS))
            cursor.execute(
                f"SELECT rowid FROM {index.FTS_TABLE} WHERE {index.FTS_TABLE} MATCH %s "
                f"ORDER BY bm25({index.FTS_TABLE}, {weights}) LIMIT %s",
                [chinese_text.fts5_match(clauses), PER_PAGE],
            )
        else:
            cursor.execute(
                f"SELECT resource_id FROM {index.DOC_TABLE}, to_tsquery('simple', %s) q "
                "WHERE document @@ q ORDER BY ts_rank(document, q) DESC LIMIT %s",
                [chinese_text.pg_tsquery(clauses), PER_PAGE],
            )
        return [row[0] for row in cursor.fetchall()]


def search_statement(user: Any, query: str) -> int:
    """The SQL search() runs when nothing is cached (the total and every facet count,
    restricted to the user, and the ranked page), without reading the resources or
    highlighting."""
    from govshare.catalog.search import page as search
    from govshare.catalog.search import query as search_query

    visible = search_query.visibility(user)
    assert visible is not None
    source = search_query.sources_for(query)[0]
    counts, _page = search._count_and_rank(source, {}, visible, 1, PER_PAGE)
    return counts.total


def measure(user: Any, duration: float) -> dict[str, Any]:
    from django.conf import settings
    from django.core.cache import cache

    from govshare.catalog.search.page import search

    configured = settings.GOVSHARE_QUERIES_ALONGSIDE

    def cold(query: str, alongside: bool = configured) -> Any:
        cache.clear()  # as after any change to the index: the counts are made afresh
        settings.GOVSHARE_QUERIES_ALONGSIDE = alongside
        try:
            return search(user, query, per_page=PER_PAGE)
        finally:
            settings.GOVSHARE_QUERIES_ALONGSIDE = configured

    for query in QUERIES:  # counted alongside or in turn, a search finds the same
        beside, in_turn = cold(query), cold(query, alongside=False)
        assert (beside.total, beside.facets) == (in_turn.total, in_turn.facets), query
        assert [h.resource.pk for h in beside.hits] == [h.resource.pk for h in in_turn.hits]

    runs = {  # cold before warm: each query's counts are then those the warm search reads
        "cold_in_turn": lambda q: cold(q, alongside=False).total,
        "cold": lambda q: cold(q).total,
        "search": lambda q: search(user, q, per_page=PER_PAGE).total,
        "bare": bare_query,
        "statement": lambda q: search_statement(user, q),
    }
    timings: dict[str, list[float]] = {name: [] for name in runs}
    per_query: dict[str, list[float]] = {q: [] for q in QUERIES}
    totals = {}
    for query in QUERIES:  # warm every path up, and check that every query finds something
        totals[query] = search(user, query, per_page=PER_PAGE).total
        assert all(run(query) for run in runs.values()), f"nothing found for {query}"
    deadline = time.perf_counter() + duration
    while True:
        for query in QUERIES:  # alternate, so drift on the machine hits all alike
            for name, run in runs.items():
                started = time.perf_counter()
                run(query)
                timings[name].append((time.perf_counter() - started) * 1000)
            per_query[query].append(timings["search"][-1])
        if time.perf_counter() >= deadline:
            break
    return {
        **{f"{name}_p95": p95(values) for name, values in timings.items()},
        "samples": len(timings["search"]),
        "per_query_median": {q: round(statistics.median(v), 1) for q, v in per_query.items()},
        "hits": totals,
    }


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def run_backend(database_url: str | None) -> dict[str, Any]:
    """(Runs in a child process.) Generate, index and measure on one database."""
    keep = os.environ.get("GOVSHARE_BENCH_KEEP")
    if keep:
        var_dir = keep_dir("postgresql" if database_url else "sqlite")
        var_dir.mkdir(parents=True, exist_ok=True)
        return prepare_and_measure(var_dir, database_url)
    with tempfile.TemporaryDirectory(prefix="govshare-bench-") as tmp:
        return prepare_and_measure(Path(tmp), database_url)


def size() -> str:
    return "full" if is_full() else "reduced"


def prepare_and_measure(var_dir: Path, database_url: str | None) -> dict[str, Any]:
    """Generate and index the catalog in ``var_dir`` / ``database_url`` unless a kept run has
    already (``generated`` and ``indexed`` marker files there), then measure."""
    resources, items = (100_000, 20) if is_full() else (5_000, 20)
    setup_django(var_dir, database_url)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from govshare.catalog.search.index import reindex_all

    generated_marker, indexed_marker = var_dir / "generated", var_dir / "indexed"
    started = time.perf_counter()
    if generated_marker.exists():
        user = get_user_model().objects.get(username="bench_staff")
    else:
        user = generate(resources, items, departments=100 if is_full() else 20)
        generated_marker.write_text("done\n")
    generated = time.perf_counter()
    fingerprint = index_fingerprint()
    if not indexed_marker.exists() or indexed_marker.read_text() != fingerprint:
        indexed_marker.unlink(missing_ok=True)
        empty_index()
        reindex_all()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("VACUUM ANALYZE")
            else:  # the pages the old index left free, given back: laid out as a new file's
                cursor.execute("VACUUM")
                cursor.execute("ANALYZE")
        indexed_marker.write_text(fingerprint)
    built = time.perf_counter()
    result = measure(user, seconds(5.0, 30.0))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM catalog_search_doc")
        indexed = cursor.fetchone()[0]
    result.update(
        vendor=connection.vendor,
        resources=indexed,
        items=resources * items,
        generate_seconds=round(generated - started, 1),
        index_seconds=round(built - generated, 1),
    )
    connection.close()
    return result


def empty_index() -> None:
    """Empty the index tables as a fresh database has them, so a kept catalog indexed again
    measures like a new one: no dead rows (PostgreSQL) nor delete markers in the FTS segments
    (SQLite, whose DELETE FROM an FTS5 table adds them)."""
    from django.db import connection

    from govshare.catalog.search import index

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {index.DOC_TABLE}")
            return
        cursor.execute(f"SELECT sql FROM sqlite_master WHERE name = '{index.FTS_TABLE}'")
        (create,) = cursor.fetchone()
        cursor.execute(f"DROP TABLE {index.FTS_TABLE}")
        cursor.execute(create)
        cursor.execute(f"DELETE FROM {index.DOC_TABLE}")


def index_fingerprint() -> str:
    """What the index's content depends on: the code writing its rows, and the migrations."""
    from govshare.catalog import chinese_text, migrations
    from govshare.catalog.search import facets, index

    parts = [inspect.getsource(chinese_text), repr(facets.PACKED_FACETS), repr(facets.SHIFTS)]
    written = (index.index_rows, index._row, facets.pack_facets, index._insert)
    parts += [inspect.getsource(f) for f in written]
    parts += [p.read_text() for p in sorted(Path(migrations.__file__).parent.glob("0*.py"))]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def in_child(database_url: str | None) -> dict[str, Any]:
    args = [str(BIN / "python"), __file__, "--child", database_url or ""]
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=dict(os.environ))
    if done.returncode != 0:
        raise RuntimeError(f"the bench failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def postgresql_run(server: str) -> dict[str, Any]:
    """A scratch database with a UTF-8 ctype (pg_trgm is blind to Chinese under C), then dropped
    (kept, and reused when it exists, with GOVSHARE_BENCH_KEEP)."""
    import psycopg

    keep = bool(os.environ.get("GOVSHARE_BENCH_KEEP"))
    name = f"govshare_bench_search_{f'keep_{size()}' if keep else os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
    if keep and not exists:  # a new database: whatever was generated before is gone
        for marker in ("generated", "indexed"):
            (keep_dir("postgresql") / marker).unlink(missing_ok=True)
    try:
        return in_child(f"{server}/{name}")
    finally:
        if not keep:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def keep_dir(vendor: str) -> Path:
    return Path(os.environ["GOVSHARE_BENCH_KEEP"]).resolve() / f"{vendor}-{size()}"


def figures(result: dict[str, Any]) -> list[Figure]:
    print(
        f"{result['vendor']}: {result['resources']} resources, {result['items']} items; "
        f"generated in {result['generate_seconds']} s, indexed in {result['index_seconds']} s; "
        f"{result['samples']} searches; median ms per query: {result['per_query_median']}; "
        f"hits: {result['hits']}"
    )
    value = result["search_p95"]
    return [
        Figure(
            figure=f"catalog_search_p95_ms_{result['vendor']}{suffix}",
            value=round(value, 2),
            baseline=round(result[baseline], 2),
            ratio=round(value / result[baseline], 2),
            goal=f"< {GOAL_MS:.0f} ms, ratio <= {GOAL_RATIO:.0f}",
            unit="ms",
        )
        for suffix, baseline in (("", "bare_p95"), ("_vs_statement", "statement_p95"))
    ] + [
        Figure(
            figure=f"catalog_search_cold_p95_ms_{result['vendor']}{suffix}",
            value=round(result[measured], 2),
            baseline=round(result["bare_p95"], 2),
            ratio=round(result[measured] / result["bare_p95"], 2),
            goal=goal,
            unit="ms",
        )
        for suffix, measured, goal in (
            ("", "cold_p95", f"< {GOAL_MS:.0f} ms, ratio <= {GOAL_RATIO:.0f}"),
            ("_in_turn", "cold_in_turn_p95", "none: one connection, for comparison"),
        )
    ]


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(run_backend(sys.argv[2] or None)))
        return 0
    results = [in_child(None)]
    server = os.environ.get("GOVSHARE_BENCH_PG")
    if server:
        results.append(postgresql_run(server.rstrip("/")))
    write_figures("catalog_search", [f for result in results for f in figures(result)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
