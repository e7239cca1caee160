"""The demo catalog: ~300 resources through the services, the five base resources in full, every
lifecycle state, mount slots and a history to rebuild past months from; twice is once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from govshare.catalog import rules
from govshare.catalog.indicators import indicator_values
from govshare.catalog.models import DataItem, Mount, Resource, ResourceEvent, ResourceVersion
from govshare.core.actors import system_actor
from govshare.core.evidence.chain import verify_chain
from govshare.core.models import AuditEvent
from govshare.demo.catalog import items_of, parse_item, plans
from govshare.demo.catalog_data import BASE_RESOURCES, SUBJECTS
from govshare.demo.city import DEPARTMENTS

BASE_ITEMS = {
    "人口基础信息": {"GMSFHM", "XM", "XBDM", "MZDM", "CSRQ", "HJDZ", "DZ", "HJZT"},
    "法人单位基础信息": {"TYSHXYDM", "JGMC", "FDDBR", "CLRQ", "ZCZB", "ZS", "JYFW", "DJZT"},
    "电子证照目录": {"ZZBH", "ZZMC", "CZZT", "CZZTDM", "FZJG", "FZRQ", "YXQZ"},
    "社会信用信息": {"XYZTMC", "TYSHXYDM", "SXJLLX", "XZXKWSH", "XZCFJDSWH"},
    "自然资源和空间地理": {"TCMC", "DKBH", "ZBX", "MJ"},
}


def _tally() -> tuple[int, ...]:
    return (
        Resource.objects.count(),
        ResourceVersion.objects.count(),
        DataItem.objects.count(),
        ResourceEvent.objects.count(),
        Mount.objects.count(),
        AuditEvent.objects.filter(action__startswith="catalog.").count(),
    )


# Committed, not wrapped in a test transaction: the demo's traffic step runs the gateway in
# process, whose threads read the database through connections of their own.
@pytest.mark.django_db(transaction=True)
def test_the_demo_catalog_is_complete_idempotent_and_audited(settings, tmp_path):
    settings.GOVSHARE_SOURCES_DIR = settings.VAR_DIR = tmp_path
    # given the demo city loaded, when it is loaded again, then nothing is added
    call_command("demo")
    first = _tally()
    call_command("demo")
    assert _tally() == first
    # and the catalog is complete (one load is slow: the checks share it)
    _about_three_hundred_resources_across_every_demo_department()
    _the_five_base_resources_are_published_with_full_items()
    _population_items_are_linked_graded_and_masked()
    _every_lifecycle_state_is_present()
    _share_types_openness_and_tags_vary()
    _every_version_passes_every_rule_and_agrees_with_its_elements()
    _mount_slots_in_every_state()
    _the_catalog_has_a_past_to_rebuild()
    assert verify_chain(AuditEvent).is_intact


def _about_three_hundred_resources_across_every_demo_department() -> None:
    assert 280 <= Resource.objects.count() <= 320
    per_provider = dict(
        Resource.objects.values_list("provider__name").annotate(n=Count("pk")).order_by()
    )
    assert {name for _key, name, *_r in DEPARTMENTS} == set(per_provider)
    assert min(per_provider.values()) >= 5
    with_systems = ResourceVersion.objects.filter(source_systems__isnull=False).distinct()
    assert with_systems.count() > 0.8 * ResourceVersion.objects.count()


def _the_five_base_resources_are_published_with_full_items() -> None:
    for name, identifiers in BASE_ITEMS.items():
        resource = Resource.objects.get(name=name)
        version = resource.current_version
        assert resource.status == "published" and resource.code
        assert version.category.code[0] == "1" and version.share_type != "not_shared"
        assert identifiers <= set(version.items.values_list("identifier", flat=True)), name
        assert version.items.count() >= 15 and version.source_systems.exists()


def _population_items_are_linked_graded_and_masked() -> None:
    version = Resource.objects.get(name="人口基础信息").current_version
    items = {item.identifier: item for item in version.items.select_related("element")}

    for identifier in ("GMSFHM", "XM", "XBDM", "MZDM", "CSRQ", "DZ"):
        assert items[identifier].element.identifier == identifier
    assert items["HJDZ"].element.identifier == "DZ"
    assert (items["GMSFHM"].grade, items["GMSFHM"].masking) == ("important", "id_number")
    assert items["XM"].masking == "name" and items["XM"].is_personal
    assert items["RXZP"].share_type == "not_shared"  # stricter than its resource
    assert version.grade == "important"  # the highest of its items


def _every_lifecycle_state_is_present() -> None:
    statuses = set(Resource.objects.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "published", "withdrawn"}
    returned = ResourceVersion.objects.filter(status="returned")
    assert returned.exists() and all(v.review_note for v in returned)
    changing = Resource.objects.filter(status="published", working_version__isnull=False)
    changes = ResourceVersion.objects.filter(pk__in=changing.values("working_version"))
    assert {v.status for v in changes} == {"draft", "submitted"}
    assert {v.number for v in changes} == {2}
    withdrawn = Resource.objects.filter(status="withdrawn")
    assert 2 <= withdrawn.count() <= 5 and all(r.withdrawn_reason for r in withdrawn)
    assert not Resource.objects.filter(status="published", code__isnull=True).exists()


def _share_types_openness_and_tags_vary() -> None:
    versions = ResourceVersion.objects.filter(resource__status="published", status="in_force")
    shares = dict(versions.values_list("share_type").annotate(n=Count("pk")).order_by())
    assert shares["conditional"] > shares["unconditional"] > shares["not_shared"] > 0
    assert all(v.share_basis for v in versions.filter(share_type="not_shared"))
    assert all(v.open_condition for v in versions.filter(is_open=True))
    assert versions.filter(is_key_supervision=True).exists()
    assert versions.filter(is_government_service=True).exists()
    classes = {code[0] for code in versions.values_list("category__code", flat=True)}
    assert classes == {"1", "2", "3"}


def _every_version_passes_every_rule_and_agrees_with_its_elements() -> None:
    for version in ResourceVersion.objects.select_related("category", "resource"):
        items = list(version.items.select_related("element"))
        assert not rules.check_version(version, items, version.resource).errors, version
        assert not rules.element_mismatches(items), version


def _mount_slots_in_every_state() -> None:
    statuses = set(Mount.objects.values_list("status", flat=True))
    assert statuses == {"mounted", "failing", "unmounted"}
    assert all(m.last_error for m in Mount.objects.filter(status="failing"))
    published = Resource.objects.filter(status="published")
    assert published.filter(mounts__isnull=True).exists()
    mounted = published.filter(mounts__status="mounted").distinct().count()
    assert 0.6 < mounted / published.count() < 0.9


def _the_catalog_has_a_past_to_rebuild() -> None:
    overseer = system_actor()
    half_a_year_ago = (timezone.localdate() - dt.timedelta(days=180)).replace(day=1)
    then = {i.key: i.numerator for i in indicator_values(overseer, half_a_year_ago).totals}
    now = {i.key: i.numerator for i in indicator_values(overseer).totals}
    assert 0 < then["catalogued"] < now["catalogued"]
    assert then["mount"] is None and now["mount"] > 0
    for version in ResourceVersion.objects.exclude(reviewed=None):
        assert version.created <= version.reviewed <= timezone.now()


# --- the plans, without the database --------------------------------------------------------


def test_item_specs_parse_with_their_flags():
    item = parse_item("户籍地址 HJDZ C200 g3 pi m=address =DZ")
    assert (item.name, item.identifier, item.data_type, item.length) == (
        "户籍地址",
        "HJDZ",
        "C",
        200,
    )
    assert (item.grade, item.is_personal, item.masking, item.element) == (
        "general_3",
        True,
        "address",
        "DZ",
    )
    assert parse_item("@GMSFHM").masking == "id_number"
    assert [i.identifier for i in items_of("@XM; 人像照片 RXZP G imp ns")] == ["XM", "RXZP"]
    with pytest.raises(ValueError):
        parse_item("名称 IDENT C10 unknownflag")


def test_plans_are_unique_per_provider_and_derived_from_templates():
    names = [(plan.department, plan.name) for plan in plans()]
    assert len(names) == len(set(names))
    assert len(names) == len(BASE_RESOURCES) + sum(
        len(subject.views) for subjects in SUBJECTS.values() for subject in subjects
    )
