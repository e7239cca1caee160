"""Chinese search of the catalog: segmentation, ranking, highlights, codes, facets, visibility.

Runs on SQLite (FTS5, unicode61) and PostgreSQL (tsvector 'simple' + pg_trgm) alike. The index is
refreshed by ``reindex_resource`` after each service call, as services will do on commit.
"""

from __future__ import annotations

import threading
from importlib import import_module

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govshare.catalog.chinese_text import highlight, parse_query, segment
from govshare.catalog.models import Category, Mount, Resource
from govshare.catalog.search import facets
from govshare.catalog.search import index as search_index
from govshare.catalog.search import page as catalog_search
from govshare.catalog.search import query as search_query
from govshare.catalog.search.facets import pack_facets, unpack_facet
from govshare.catalog.search.index import reindex_all, reindex_resource
from govshare.catalog.search.page import browse_counts, search
from govshare.catalog.services import (
    resource_create,
    resource_review,
    resource_start_change,
    resource_submit,
    version_update,
)
from govshare.core import alongside
from govshare.core.roles import Role
from tests.catalog.factories import items_data, resource_data
from tests.factories import DepartmentFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_index(db):
    """Each test starts from an index that matches its (empty) catalog: a test that committed
    (transactional_db) leaves index rows that a database flush does not remove."""
    reindex_all()


THEME = "201"  # 公共服务, a thematic class: any share type is allowed there


def draft(officer, provider, items=None, **data):
    resource = resource_create(
        actor=officer,
        provider=provider,
        data=resource_data(**data),
        items=items_data() if items is None else items,
    )
    reindex_resource(resource.pk)
    return resource


def publish(resource, officer, reviewer):
    resource_submit(actor=officer, resource=resource)
    resource_review(actor=reviewer, resource=resource, approve=True)
    reindex_resource(resource.pk)
    return resource


def published(officer, reviewer, provider, **data):
    return publish(draft(officer, provider, **data), officer, reviewer)


def theme(**data):
    """Data for a thematic resource shared without conditions."""
    return {
        "category": Category.objects.get(code=THEME),
        "share_type": "unconditional",
        "share_condition": "",
        "keywords": "",
        **data,
    }


def unconditional_items():
    return items_data(*[{"share_type": "unconditional"}] * 3)


def names(result):
    return [hit.resource.name for hit in result.hits]


# --- segmentation and query parsing ---------------------------------------------------------


def test_segment_keeps_compounds_and_their_parts_and_drops_punctuation():
    # given a name with a compound word, punctuation and markup
    # when it is segmented
    tokens = segment("电子营业执照（副本）<b>PostgreSQL</b>").split()

    # then the compound and its parts are tokens, lower-cased, with no punctuation
    assert {"营业", "执照", "营业执照", "postgresql"} <= set(tokens)
    assert not any(char in "".join(tokens) for char in "（）<>/")


def test_a_query_word_matches_itself_or_all_of_its_parts():
    # given a query jieba keeps as one word but a document may split
    clauses = parse_query("不动产登记")

    # then each clause carries its search-mode parts
    assert [c.token for c in clauses] == ["不动产", "登记"]
    assert set(clauses[0].parts) == {"不动", "动产"}


# --- matching and ranking -------------------------------------------------------------------


def test_two_character_words_are_found(officer_a, reviewer, dept_a):
    # given resources whose names and summaries hold two-character words
    published(officer_a, reviewer, dept_a)  # 户籍人口基本信息
    published(
        officer_a,
        reviewer,
        dept_a,
        **theme(name="公共服务事项数据", summary="全市公共服务事项的办理数据"),
    )

    # when searching for 人口 and 数据
    # then each is found (SQLite's trigram tokenizer would find neither)
    assert names(search(officer_a, "人口")) == ["户籍人口基本信息"]
    assert names(search(officer_a, "数据")) == ["公共服务事项数据"]


def test_pinyin_initials_find_a_name(officer_a, reviewer, dept_a):
    # given two published resources
    published(officer_a, reviewer, dept_a)
    published(officer_a, reviewer, dept_a, **theme(name="公共服务事项数据"))

    # when a user types the first letters of a name's pinyin (户籍人口 → hjrk), or all of them
    # then the resource is found, in any letter case
    assert names(search(officer_a, "hjrk")) == ["户籍人口基本信息"]
    assert names(search(officer_a, "GGFWSXSJ")) == ["公共服务事项数据"]
    assert search(officer_a, "zzzz").total == 0


def test_every_term_must_match(officer_a, reviewer, dept_a):
    # given two resources sharing one word
    published(officer_a, reviewer, dept_a)
    published(officer_a, reviewer, dept_a, **theme(name="流动人口居住登记", summary="居住登记"))

    # when the query has two words
    result = search(officer_a, "人口 户籍")

    # then only the resource with both matches
    assert names(result) == ["户籍人口基本信息"]


def test_data_item_names_and_keywords_are_searched(officer_a, reviewer, dept_a):
    # given a resource whose items hold 公民身份号码 and whose keywords hold 身份
    published(officer_a, reviewer, dept_a)

    # when searching for an item's name and a keyword
    # then the resource is found by each
    assert search(officer_a, "公民身份号码").total == 1
    assert search(officer_a, "性别").total == 1
    assert search(officer_a, "户籍").total == 1


def test_name_matches_rank_first(officer_a, reviewer, dept_a):
    # given one resource with 营业执照 in its summary only, and one with it in its name
    published(
        officer_a,
        reviewer,
        dept_a,
        **theme(name="企业年报信息", summary="企业年度报告，含营业执照编号和营业执照有效期"),
    )
    published(officer_a, reviewer, dept_a, **theme(name="电子营业执照", summary="电子证照库"))

    # when searching
    result = search(officer_a, "营业执照")

    # then the name match comes first, with a higher score
    assert names(result) == ["电子营业执照", "企业年报信息"]
    assert result.hits[0].score > result.hits[1].score


def test_a_single_character_finds_the_words_it_starts(officer_a, reviewer, dept_a):
    # given a resource about 税务 (jieba keeps 税务 as one word)
    published(officer_a, reviewer, dept_a, **theme(name="税务登记信息", summary="纳税人登记"))

    # when searching for the single character 税
    # then it is found
    assert names(search(officer_a, "税")) == ["税务登记信息"]


def test_a_name_fragment_is_found_when_no_word_matches(officer_a, reviewer, dept_a):
    # given a name whose words jieba cuts differently from the fragment searched
    published(officer_a, reviewer, dept_a, **theme(name="鑫博腾飞科技名录", summary="企业名录"))

    # when searching for a fragment across two of its words
    result = search(officer_a, "博腾")

    # then the substring match finds it, and highlights the fragment
    assert names(result) == ["鑫博腾飞科技名录"]
    assert "<mark>博腾</mark>" in result.hits[0].name_html


def test_nothing_found_is_an_empty_result(officer_a, reviewer, dept_a):
    published(officer_a, reviewer, dept_a)

    result = search(officer_a, "航天发射")

    assert result.total == 0 and result.hits == []
    assert all(counts == [] for counts in result.facets.values())


def test_operators_and_quotes_in_the_query_are_plain_text(officer_a, reviewer, dept_a):
    # given a resource
    published(officer_a, reviewer, dept_a)

    # when the query holds FTS and tsquery syntax
    # then it is searched as words, not parsed as syntax (no error)
    for query in ['人口" OR "', "人口 & !户籍", "人口:*", "(人口", "NEAR(人口)", "'", "*"]:
        search(officer_a, query)
    assert search(officer_a, '"人口"').total == 1


# --- highlighting ---------------------------------------------------------------------------


def test_highlight_marks_terms_and_escapes_everything_else():
    # given text with markup around a term
    html = highlight("<b>人口</b> & 户籍人口", ["人口"])

    # then the markup is escaped and each occurrence marked
    assert html == "&lt;b&gt;<mark>人口</mark>&lt;/b&gt; &amp; 户籍<mark>人口</mark>"


def test_highlight_prefers_the_longest_term_and_cuts_around_the_first_match():
    text = "前言" * 100 + "营业执照" + "后记" * 100

    html = highlight(text, ["营业", "营业执照"], limit=40)

    assert "<mark>营业执照</mark>" in html
    assert html.startswith("…") and html.endswith("…")


def test_hits_are_highlighted_and_escaped(officer_a, reviewer, dept_a):
    # given a resource whose name and summary hold HTML
    published(
        officer_a,
        reviewer,
        dept_a,
        **theme(name="人口<script>alert(1)</script>", summary="人口 <img src=x onerror=y>"),
    )

    # when it is found
    hit = search(officer_a, "人口").hits[0]

    # then the markup arrives escaped, with the term marked
    assert "<script>" not in hit.name_html and "&lt;script&gt;" in hit.name_html
    assert "<mark>人口</mark>" in hit.name_html
    assert "<img" not in hit.summary_html and "&lt;img" in hit.summary_html


# --- codes ----------------------------------------------------------------------------------


def test_search_by_exact_code_and_by_code_prefix(officer_a, reviewer, dept_a):
    # given two published resources under one classification and provider
    first = published(officer_a, reviewer, dept_a)
    second = published(officer_a, reviewer, dept_a, name="流动人口基本信息")
    prefix = first.code.split("/")[0]

    # when searching by the exact code, then only that resource is found
    assert [h.resource.pk for h in search(officer_a, first.code).hits] == [first.pk]
    # when searching by the code's front part, then both are, the exact one's order kept
    assert {h.resource.pk for h in search(officer_a, prefix).hits} == {first.pk, second.pk}
    assert search(officer_a, first.code.lower()).total == 1


# --- facets and filters ---------------------------------------------------------------------


@pytest.fixture
def catalog(officer_a, officer_b, reviewer, dept_a, dept_b):
    """Four published resources: three of dept A (two conditional, one open), one of dept B."""
    published(officer_a, reviewer, dept_a)
    published(officer_a, reviewer, dept_a, name="流动人口基本信息", update_cycle="monthly")
    published(
        officer_a,
        reviewer,
        dept_a,
        items=unconditional_items(),
        **theme(
            name="人口统计公报",
            is_open=True,
            open_condition="无",
            format_class="document",
            format_type="PDF",
            share_mode_type="file",
        ),
    )
    published(officer_b, reviewer, dept_b, name="参保人口信息")


def facet(result, name):
    return {value: count for value, _label, count in result.facets[name]}


def test_facet_counts_are_computed_over_the_matching_set(catalog, staff_a, dept_a, dept_b):
    # given four resources about 人口
    # when searching
    result = search(staff_a, "人口")

    # then every facet counts the matching resources
    assert result.total == 4
    assert facet(result, "provider") == {str(dept_a.pk): 3, str(dept_b.pk): 1}
    assert facet(result, "share_type") == {"conditional": 3, "unconditional": 1}
    assert facet(result, "is_open") == {"false": 3, "true": 1}
    assert facet(result, "resource_class") == {"1": 3, "2": 1}
    assert facet(result, "category") == {"101": 3, "201": 1}
    assert facet(result, "format_class") == {"database": 3, "document": 1}
    assert facet(result, "update_cycle") == {"daily": 3, "monthly": 1}
    assert facet(result, "grade") == {"important": 4}
    assert facet(result, "mount_status") == {"unmounted": 4}
    assert facet(result, "status") == {"published": 4}
    # and labels name the values
    labels = {value: label for value, label, _n in result.facets["provider"]}
    assert labels[str(dept_b.pk)] == dept_b.name
    assert dict((v, lbl) for v, lbl, _n in result.facets["category"])["101"] == "101 人口"


def test_filters_narrow_results_and_facets(catalog, staff_a, dept_a):
    # given four resources about 人口
    # when filtering by provider and share type
    result = search(staff_a, "人口", {"provider": str(dept_a.pk), "share_type": "conditional"})

    # then only the matching ones remain, and the facets count only them
    assert sorted(names(result)) == ["户籍人口基本信息", "流动人口基本信息"]
    assert facet(result, "update_cycle") == {"daily": 1, "monthly": 1}
    assert search(staff_a, "", {"is_open": "true"}).total == 1
    assert search(staff_a, "", {"category": "101001"}).total == 3  # a 目 narrows by prefix
    assert search(staff_a, "", {"category": "2"}).total == 1  # so does a 类
    assert search(staff_a, "", {"share_type": ["conditional", "unconditional"]}).total == 4


def test_mount_status_is_indexed(officer_a, reviewer, dept_a):
    # given a resource with one mounted and one failing slot, and one with a failing slot only
    mounted = published(officer_a, reviewer, dept_a)
    failing = published(officer_a, reviewer, dept_a, name="流动人口基本信息")
    Mount.objects.create(resource=mounted, kind="api", status="mounted")
    Mount.objects.create(resource=mounted, kind="table", status="failing")
    Mount.objects.create(resource=failing, kind="api", status="failing")
    reindex_all()

    # when counting by mount status
    result = search(officer_a, "人口")

    # then any mounted slot counts as mounted, else any failing one as failing
    assert facet(result, "mount_status") == {"mounted": 1, "failing": 1}
    assert names(search(officer_a, "", {"mount_status": "failing"})) == ["流动人口基本信息"]


def test_bad_filters_are_refused_naming_the_field(staff_a):
    with pytest.raises(ValidationError) as raised:
        search(staff_a, "", {"share_type": "sometimes", "colour": "red", "provider": "x"})
    assert set(raised.value.error_dict) == {"share_type", "colour", "provider"}
    with pytest.raises(ValidationError) as raised:
        search(staff_a, "", page=0, per_page=1000)
    assert set(raised.value.error_dict) == {"page", "per_page"}


# --- visibility -----------------------------------------------------------------------------


def test_a_departments_drafts_are_invisible_to_other_departments(
    officer_a, staff_a, officer_b, reviewer, dept_a
):
    # given a draft and a published resource of department A
    draft(officer_a, dept_a, name="人口迁移台账")
    published(officer_a, reviewer, dept_a)

    # when department B searches, it sees only the published one, in results and counts
    result = search(officer_b, "人口")
    assert names(result) == ["户籍人口基本信息"]
    assert facet(result, "status") == {"published": 1}
    assert names(search(officer_b, "迁移")) == []
    assert search(officer_b, "人口迁移台账").total == 0  # nor by substring
    # when department A's staff or the authority search, they see both
    assert search(staff_a, "人口").total == 2
    assert search(reviewer, "人口").total == 2


def test_anonymous_users_find_nothing(officer_a, reviewer, dept_a):
    from django.contrib.auth.models import AnonymousUser

    published(officer_a, reviewer, dept_a)

    assert search(AnonymousUser(), "人口").total == 0
    assert search(None, "").hits == []


def test_a_change_in_progress_keeps_the_version_in_force_searchable(officer_a, reviewer, dept_a):
    # given a published resource whose change renames it
    resource = published(officer_a, reviewer, dept_a)
    resource_start_change(actor=officer_a, resource=resource)
    version_update(
        actor=officer_a,
        resource=resource,
        data=resource_data(name="户籍人口基础信息库"),
        items=items_data(),
    )
    reindex_resource(resource.pk)

    # when searching, then the version in force is what is found
    assert names(search(officer_a, "户籍")) == ["户籍人口基本信息"]
    assert search(officer_a, "信息库").total == 0


# --- listing and paging ---------------------------------------------------------------------


def test_an_empty_query_lists_everything_visible_by_name(catalog, staff_a, officer_b):
    result = search(staff_a, "")
    assert result.total == 4
    assert names(result) == sorted(names(result))
    assert search(officer_b, "").total == 4  # all four are published


def test_pages(catalog, staff_a):
    first = search(staff_a, "人口", page=1, per_page=3)
    second = search(staff_a, "人口", page=2, per_page=3)
    beyond = search(staff_a, "人口", page=9, per_page=3)

    assert first.total == second.total == 4
    assert len(first.hits) == 3 and len(second.hits) == 1
    assert {h.resource.pk for h in first.hits}.isdisjoint(h.resource.pk for h in second.hits)
    assert beyond.page == 2 and len(beyond.hits) == 1  # past the end: the last page


# --- index maintenance ----------------------------------------------------------------------


def test_reindex_follows_changes_and_deletions(officer_a, reviewer, dept_a):
    # given an indexed resource
    resource = published(officer_a, reviewer, dept_a)
    assert search(officer_a, "户籍").total == 1

    # when it is deleted and reindexed, then it is gone from the index
    Resource.objects.filter(pk=resource.pk).delete()
    reindex_resource(resource.pk)
    assert search(officer_a, "户籍").total == 0


def test_reindex_all_rebuilds_the_index(officer_a, reviewer, dept_a):
    published(officer_a, reviewer, dept_a)
    published(officer_a, reviewer, dept_a, name="流动人口基本信息")

    assert reindex_all() == 2
    assert search(officer_a, "人口").total == 2


def test_a_new_department_member_sees_its_drafts(officer_a, dept_a):
    # given a draft of department A, and a staff member added to A afterwards
    draft(officer_a, dept_a, name="人口迁移台账")
    newcomer = member(dept_a, Role.STAFF, username="newcomer")
    other = member(DepartmentFactory(), Role.STAFF, username="outsider")

    assert search(newcomer, "迁移").total == 1
    assert search(other, "迁移").total == 0


def test_the_index_tables_exist_for_this_database():
    from django.db import connection

    tables = connection.introspection.table_names()
    assert search_index.DOC_TABLE in tables
    if connection.vendor == "sqlite":
        assert search_index.FTS_TABLE in tables


def test_a_policy_reading_other_columns_is_applied_through_the_resource(
    officer_a, officer_b, reviewer, dept_a, monkeypatch
):
    # given a policy that also hides withdrawn resources (status is not copied into the index)
    from django.db.models import Q

    from govshare.catalog.permissions import ResourcePolicy
    from govshare.catalog.services import resource_withdraw

    published(officer_a, reviewer, dept_a)
    gone = published(officer_a, reviewer, dept_a, name="流动人口基本信息")
    resource_withdraw(actor=officer_a, resource=gone, reason="职能调整")
    reindex_resource(gone.pk)
    monkeypatch.setattr(
        ResourcePolicy, "published", Q(current_version__isnull=False) & ~Q(status="withdrawn")
    )

    # when another department searches, then the policy holds in results and counts
    result = search(officer_b, "人口")
    assert names(result) == ["户籍人口基本信息"]
    assert result.total == 1 and facet(result, "status") == {"published": 1}
    assert search(officer_a, "人口").total == 2


def test_the_whole_catalogs_counts_follow_every_change(officer_a, staff_a, reviewer, dept_a):
    # given the list of everything, counted once
    published(officer_a, reviewer, dept_a)
    first = search(staff_a, "")
    assert first.total == 1 and facet(first, "update_cycle") == {"daily": 1}

    # when another resource is published, then the counts include it
    published(officer_a, reviewer, dept_a, name="流动人口基本信息", update_cycle="monthly")
    second = search(staff_a, "")
    assert second.total == 2 and facet(second, "update_cycle") == {"daily": 1, "monthly": 1}
    assert names(second) == ["户籍人口基本信息", "流动人口基本信息"]


def test_browse_counts_are_kept_per_index_state_and_visibility(
    officer_a, staff_a, officer_b, reviewer, dept_a
):
    # given a published resource and a draft of department A, counted for A's staff
    published(officer_a, reviewer, dept_a)
    draft(officer_a, dept_a, name="流动人口基本信息")
    assert browse_counts(staff_a).providers == {dept_a.pk: 2}

    # when asked again, then only the index's state is read, nothing counted
    with CaptureQueriesContext(connection) as queries:
        assert browse_counts(staff_a).categories["101"] == 2
    assert [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]] == []

    # and another department's user, who may not see the draft, gets its own counts
    assert browse_counts(officer_b).providers == {dept_a.pk: 1}

    # when a resource is published, then both counts include it
    published(officer_a, reviewer, dept_a, name="参保人口信息")
    assert browse_counts(staff_a).providers == {dept_a.pk: 3}
    assert browse_counts(officer_b).providers == {dept_a.pk: 2}


def test_resources_not_graded_yet_are_counted_and_filtered_as_none(
    officer_a, staff_a, reviewer, dept_a
):
    # given a graded resource and a document with no data items, so not graded
    published(officer_a, reviewer, dept_a)
    document = {"format_class": "document", "format_type": "PDF", "share_mode_type": "file"}
    draft(officer_a, dept_a, items=[], **theme(name="流动人口基本信息", **document))

    # when counting, then the ungraded one has a value of its own (an empty one would read as
    # "no filter" in a link or a query string)
    assert facet(search(staff_a, ""), "grade") == {"important": 1, "none": 1}

    # and choosing it finds it alone, or with another grade both
    assert names(search(staff_a, "", {"grade": "none"})) == ["流动人口基本信息"]
    assert search(staff_a, "", {"grade": ["none", "important"]}).total == 2
    assert facet(search(staff_a, "", {"grade": "none"}), "grade") == {"important": 1, "none": 1}


# --- several values per facet, counted disjunctively ------------------------------------------


def test_several_values_of_a_facet_match_any_of_them_and_facets_match_all(
    catalog, staff_a, dept_a, dept_b
):
    # given three resources of dept A (two conditional, one unconditional) and one of dept B
    # when two share types are chosen, then resources of either match
    assert search(staff_a, "人口", {"share_type": ["conditional", "unconditional"]}).total == 4
    # when a provider is chosen as well, then both facets must match
    result = search(
        staff_a,
        "人口",
        {"share_type": ["conditional", "unconditional"], "provider": [str(dept_b.pk)]},
    )
    assert names(result) == ["参保人口信息"]
    # and two providers with one share type: any provider, that share type
    result = search(
        staff_a,
        "人口",
        {"provider": [str(dept_a.pk), str(dept_b.pk)], "share_type": "unconditional"},
    )
    assert names(result) == ["人口统计公报"]


def test_a_chosen_facet_is_counted_without_its_own_filter(catalog, staff_a, dept_a, dept_b):
    # given four resources about 人口: A has two conditional and one unconditional, B one
    # conditional
    # when conditional is chosen
    result = search(staff_a, "人口", {"share_type": "conditional"})

    # then the results and the other facets count the conditional ones only
    assert result.total == 3
    assert facet(result, "provider") == {str(dept_a.pk): 2, str(dept_b.pk): 1}
    assert facet(result, "format_class") == {"database": 3}
    # but the share-type facet counts every share type, so unconditional can be added
    assert facet(result, "share_type") == {"conditional": 3, "unconditional": 1}


def test_each_chosen_facet_is_counted_with_the_other_facets_filters(
    catalog, staff_a, dept_a, dept_b
):
    # when provider B and conditional are chosen
    result = search(staff_a, "人口", {"provider": str(dept_b.pk), "share_type": "conditional"})

    # then providers are counted among the conditional resources, share types among B's
    assert result.total == 1
    assert facet(result, "provider") == {str(dept_a.pk): 2, str(dept_b.pk): 1}
    assert facet(result, "share_type") == {"conditional": 1}
    # and a facet nobody chose counts what passes both filters
    assert facet(result, "update_cycle") == {"daily": 1}


def test_a_chosen_value_that_nothing_matches_is_listed_with_zero(catalog, staff_a, dept_b):
    # when B (only conditional resources) and unconditional are both chosen
    result = search(staff_a, "人口", {"provider": str(dept_b.pk), "share_type": "unconditional"})

    # then nothing matches, and both chosen values are still listed, with zero, to untick
    assert result.total == 0 and result.hits == []
    assert facet(result, "share_type")["unconditional"] == 0
    assert facet(result, "share_type")["conditional"] == 1  # B's own, to switch to
    assert facet(result, "provider")[str(dept_b.pk)] == 0
    labels = {value: label for value, label, _n in result.facets["provider"]}
    assert labels[str(dept_b.pk)] == dept_b.name


def test_every_chosen_value_is_part_of_the_cached_counts(catalog, staff_a):
    # given a search with one share type, counted and kept
    one = search(staff_a, "人口", {"share_type": ["conditional"]})

    # when a second value is chosen, in either order, then the counts are made for both
    both = search(staff_a, "人口", {"share_type": ["conditional", "unconditional"]})
    swapped = search(staff_a, "人口", {"share_type": ["unconditional", "conditional"]})
    assert one.total == 3 and both.total == swapped.total == 4
    assert facet(both, "grade") == {"important": 4} and facet(one, "grade") == {"important": 3}
    assert both.filters == {"share_type": ["conditional", "unconditional"]}


def test_boolean_and_id_filters_have_one_spelling(catalog, staff_a, dept_a):
    result = search(staff_a, "", {"is_open": ["1", "true"], "provider": f"00{dept_a.pk}"})

    assert result.total == 1
    assert result.filters == {"is_open": ["true"], "provider": [str(dept_a.pk)]}


def test_counts_never_include_what_the_user_may_not_see(
    catalog, officer_a, officer_b, staff_a, dept_a, dept_b
):
    # given, besides the four published resources, two drafts of department A: one
    # unconditional and open, one in the classification 201
    draft(officer_a, dept_a, name="人口迁移台账", share_type="unconditional", share_condition="")
    draft(officer_a, dept_a, **theme(name="人口专题草稿"))

    # when department B searches with filters on several facets
    filters = {"share_type": ["conditional", "unconditional"], "status": "published"}
    result = search(officer_b, "人口", filters)

    # then neither draft is counted anywhere: not in the total, not by the facets counted
    # without their own filter, not as a status of its own
    assert result.total == 4
    assert facet(result, "provider") == {str(dept_a.pk): 3, str(dept_b.pk): 1}
    assert facet(result, "share_type") == {"conditional": 3, "unconditional": 1}
    assert facet(result, "status") == {"published": 4}
    assert facet(result, "category") == {"101": 3, "201": 1}
    assert search(officer_b, "迁移", {"status": ["draft", "published"]}).total == 0
    # while department A's staff, who may see its drafts, finds them counted
    mine = search(staff_a, "人口", filters)
    assert facet(mine, "status") == {"published": 4, "draft": 2}
    assert mine.total == 4


def test_the_fast_ranking_gives_the_pages_of_the_full_ranking(
    officer_a, staff_a, reviewer, dept_a, monkeypatch
):
    # given resources ranked alike (the same words, names of the same length) and one above
    for n in range(7):
        published(officer_a, reviewer, dept_a, **theme(name=f"人口台账{n}号", summary="人口"))
    published(officer_a, reviewer, dept_a, **theme(name="人口人口台账", summary="人口 人口"))
    draft(officer_a, dept_a, **theme(name="人口台账草稿", summary="人口"))

    def pages(per_page):
        found = []
        for page in range(1, -(-9 // per_page) + 1):  # the nine the staff sees, page by page
            found += [
                h.resource.pk for h in search(staff_a, "人口", page=page, per_page=per_page).hits
            ]
        return found

    # when paging with the ranking read from the FTS index first (few candidates, so that the
    # cut falls among equal scores), and with the full query only
    monkeypatch.setattr(catalog_search, "CANDIDATE_MARGIN", 0)
    fast = {per_page: pages(per_page) for per_page in (1, 2, 3, 9)}
    monkeypatch.setattr(catalog_search, "MAX_CANDIDATES", 0)
    full = {per_page: pages(per_page) for per_page in (1, 2, 3, 9)}

    # then every page holds the same resources in the same order, each once
    assert fast == full
    assert all(len(found) == len(set(found)) == 9 for found in full.values())
    first = search(staff_a, "人口", per_page=3)
    assert names(first)[0] == "人口人口台账"  # the one that says it twice ranks first


def test_every_choice_has_a_place_in_the_packed_facets():
    # The index stores each packed value's position: a choice added to the models must be
    # appended to its vocabulary (and the vocabularies never reordered).
    for name, choices in search_query.CHOICE_FACETS.items():
        assert set(choices.values) <= set(facets.PACKED_FACETS[name]), name
    for vocabulary in facets.PACKED_FACETS.values():
        assert len(vocabulary) < 2**facets.FIELD_BITS
    migration = import_module("govshare.catalog.migrations.0005_search_facet_combination")
    assert migration.PACKED_SHIFTS == tuple(facets.SHIFTS.values())  # its statistics
    assert facets.FIELD_MASK == 31
    values = {name: vocabulary[-1] for name, vocabulary in facets.PACKED_FACETS.items()}
    combination = pack_facets(values)
    assert {n: unpack_facet(combination, n) for n in values} == values


# --- counting alongside ---------------------------------------------------------------------


@pytest.fixture
def spied(monkeypatch):
    """Where each search's counts were made (thread names), and what the quick ranking made
    without them returned (None when it needed them)."""
    seen = {"counted_in": [], "uncounted": []}
    count, rank_uncounted = catalog_search._count, catalog_search._rank_uncounted

    def count_spy(*args):
        seen["counted_in"].append(threading.current_thread().name)
        return count(*args)

    def rank_spy(source, filters, visible, page, per_page):
        ranked = rank_uncounted(source, filters, visible, page, per_page)
        seen["uncounted"].append((bool(filters), page, ranked is not None))
        return ranked

    monkeypatch.setattr(catalog_search, "_count", count_spy)
    monkeypatch.setattr(catalog_search, "_rank_uncounted", rank_spy)
    yield seen
    alongside.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("margin", [0, 1, 40])
def test_counts_made_alongside_are_those_made_in_turn(
    catalog, officer_a, officer_b, staff_a, reviewer, dept_a, dept_b, settings, monkeypatch,
    spied, margin,
):  # fmt: skip
    # given a committed catalog (a second connection sees it) of two providers, each with a
    # draft only its own department sees, and few or many candidates for the quick ranking
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite test database: run on a SQLite file by test_alongside")
    for n in range(5):
        published(officer_b, reviewer, dept_b, **theme(name=f"人口台账{n}号", summary="人口"))
    draft(officer_a, dept_a, **theme(name="人口台账草稿", summary="人口 信息"))
    draft(officer_b, dept_b, **theme(name="人口台账乙草稿", summary="人口 人口"))
    monkeypatch.setattr(catalog_search, "CANDIDATE_MARGIN", margin)
    first_code = Resource.objects.exclude(code=None).values_list("code", flat=True).first()
    searches = [
        ("人口", {}, 1, 20),
        ("人口", {}, 2, 3),
        ("人口", {}, 3, 2),
        ("人口", {"provider": str(dept_a.pk)}, 1, 2),  # few of the best pass the filter
        ("人口", {"provider": str(dept_b.pk)}, 2, 2),
        ("人口", {"provider": str(dept_a.pk), "status": ["draft", "published"]}, 2, 2),
        ("人口 信息", {"share_type": ["conditional", "unconditional"]}, 1, 5),
        ("人口", {}, 9, 5),  # past the last page: the last one
        ("", {"is_open": "false"}, 1, 4),
        (first_code[:8], {}, 1, 20),
        ("口台", {}, 1, 2),  # a fragment of a name
        ("没有这个词", {}, 1, 20),
    ]

    def results(together):
        settings.GOVSHARE_QUERIES_ALONGSIDE = together
        found = []
        for user in (staff_a, officer_b):  # each sees its own department's draft only
            for query, filters, page, per_page in searches:
                cache.clear()  # counted afresh each time
                result = search(user, query, filters, page=page, per_page=per_page)
                hits = [(hit.resource.pk, hit.score) for hit in result.hits]
                found.append((result.total, result.page, hits, result.facets))
        return found

    # when each search is made with its counts made in turn, then alongside
    in_turn = results(False)
    spied["counted_in"].clear()
    beside = results(True)

    # then every search found the same page, the same total and the same counts, each counted
    # in the reading thread, and the quick ranking gave pages past the first and filtered ones
    assert beside == in_turn
    assert spied["counted_in"] and all(
        name.startswith("govshare-alongside") for name in spied["counted_in"]
    )
    quick = {(filtered, page > 1) for filtered, page, given in spied["uncounted"] if given}
    assert quick >= {(False, True), (True, False)} or margin == 0
    assert [total for total, *_rest in in_turn][:4] == [10, 10, 10, 4]  # staff A
    assert in_turn[len(searches)][0] == 10  # officer B: B's draft, not A's
    assert in_turn[0][2] != in_turn[len(searches)][2]
