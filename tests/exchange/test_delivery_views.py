"""The delivery log pages: who sees which calls, the filters, the charts' data, the CSV export.

Given five calls — three by 人社局 (B) on 公安局's (A) data, one by A on B's data, one inside a
third department (C) — each department sees the calls it made or received, auditors see all.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from govshare.exchange import selectors
from govshare.exchange.gateway.errors import MESSAGES, GatewayCode
from govshare.exchange.models import CallMode, DeliveryRecord
from govshare.exchange.selectors import DeliveryFilters
from govshare.sharing.choices import Purpose
from tests.exchange.delivery_factories import at, delivery, log

pytestmark = pytest.mark.django_db

LIST = "/exchange/deliveries/"
EXPORT = "/exchange/deliveries/export.csv"


@pytest.fixture
def calls(dept_a, dept_b, dept_c) -> list[DeliveryRecord]:
    """seq 1–3: B calls A (200, 403, 502 on three days); 4: A calls B; 5: C calls C."""
    return log(
        delivery(dept_b, dept_a, created=at("2026-05-02"), end_user="张警官", case_number="BJ-001"),
        delivery(
            dept_b,
            dept_a,
            created=at("2026-05-03"),
            status=403,
            error_code="item_not_granted",
            items=[],
            masked=[],
            row_count=0,
            end_user="=HYPERLINK(1)",
        ),
        delivery(
            dept_b, dept_a, created=at("2026-05-04"), status=502, error_code="upstream_failure"
        ),
        delivery(dept_a, dept_b, created=at("2026-05-04", 23, 30), mode="verify"),
        delivery(dept_c, dept_c, created=at("2026-05-04")),
    )


def seqs(response) -> list[int]:
    assert response.status_code == 200, response.content[:500]
    return [int(seq) for seq in re.findall(r'data-seq="(\d+)"', response.content.decode())]


def json_block(response, block_id: str):
    html = response.content.decode()
    match = re.search(rf'<script id="{block_id}" type="application/json">(.*?)</script>', html)
    assert match, f"no {block_id} block"
    return json.loads(match.group(1))


# --- who sees what --------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, calls):
    for url in (LIST, EXPORT, f"{LIST}1/"):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("identity:login") in response["Location"]


@pytest.mark.parametrize(
    ("user", "visible"),
    [
        ("officer_a", [4, 3, 2, 1]),  # the calls on its data and its own call
        ("staff_a", [4, 3, 2, 1]),
        ("officer_b", [4, 3, 2, 1]),
        ("officer_c", [5]),  # a third department sees none of A's and B's calls
        ("auditor", [5, 4, 3, 2, 1]),
        ("admin_user", [5, 4, 3, 2, 1]),
        ("reviewer", []),  # the authority's reviewers do not read the log
    ],
)
def test_list_shows_the_calls_the_user_may_see(request, client_for, calls, user, visible):
    client = client_for(request.getfixturevalue(user))
    assert seqs(client.get(LIST)) == visible


def test_tabs_split_my_calls_from_calls_on_my_data(client_for, officer_a, calls):
    client = client_for(officer_a)
    assert seqs(client.get(LIST, {"side": "provider"})) == [3, 2, 1]
    assert seqs(client.get(LIST, {"side": "consumer"})) == [4]
    page = client.get(LIST).content.decode()
    assert 'id="gs-delivery-tabs"' in page


def test_auditor_has_no_tabs_and_side_is_ignored(client_for, auditor, calls):
    response = client_for(auditor).get(LIST, {"side": "consumer"})
    assert seqs(response) == [5, 4, 3, 2, 1]
    assert 'id="gs-delivery-tabs"' not in response.content.decode()


def test_detail_shows_the_record_and_its_chain_link(client_for, officer_b, calls):
    record = calls[1]
    response = client_for(officer_b).get(reverse("exchange:delivery_detail", args=[record.seq]))
    assert response.status_code == 200
    page = response.content.decode()
    assert record.hash in page and record.prev_hash in page and record.body_digest in page
    assert calls[0].hash == record.prev_hash
    assert 'data-intact="1"' in page
    assert "item_not_granted" in page
    assert "公安局" in page  # the provider's name, looked up from its id


def test_purpose_and_mode_read_as_their_labels(client_for, officer_b, calls):
    # given calls logged with the stored codes (administrative_basis; query, verify)
    client = client_for(officer_b)

    # when the list and a record open, then they name them as the rest of the platform does
    listed = client.get(LIST).content.decode()
    assert str(CallMode.QUERY.label) in listed and str(CallMode.VERIFY.label) in listed
    assert ">query<" not in listed and ">verify<" not in listed
    page = client.get(reverse("exchange:delivery_detail", args=[calls[0].seq])).content.decode()
    assert str(Purpose.ADMINISTRATIVE_BASIS.label) in page and "administrative_basis" not in page
    assert str(CallMode.QUERY.label) in page


@pytest.mark.parametrize("seq", ["1", "5", "99", "99999999999999999999999"])
def test_detail_of_a_record_not_visible_or_unknown_is_404(client_for, officer_b, calls, seq):
    visible = {"1": 200}
    response = client_for(officer_b).get(f"{LIST}{seq}/")
    assert response.status_code == visible.get(seq, 404)


# --- filters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status_class": "4xx"}, [2]),
        ({"status_class": "5xx"}, [3]),
        ({"status_class": "2xx"}, [4, 1]),
        ({"mode": "verify"}, [4]),
        ({"date_from": "2026-05-03"}, [4, 3, 2]),
        ({"date_from": "2026-05-03", "date_to": "2026-05-03"}, [2]),
        ({"date_to": "2026-05-02"}, [1]),
        ({"end_user": "警官"}, [1]),
        ({"case_number": "BJ-001"}, [1]),
        ({"case_number": "BJ-00"}, []),  # exact match
        ({"status_class": "2xx", "mode": "query"}, [1]),
    ],
)
def test_filters(client_for, officer_a, calls, params, expected):
    assert seqs(client_for(officer_a).get(LIST, params)) == expected


def test_filter_by_departments_request_id_application_and_resource(
    client_for, auditor, dept_a, dept_b, calls
):
    client = client_for(auditor)
    assert seqs(client.get(LIST, {"consumer": dept_a.pk})) == [4]
    assert seqs(client.get(LIST, {"provider": dept_a.pk})) == [3, 2, 1]
    assert seqs(client.get(LIST, {"request_id": calls[2].request_id})) == [3]


def test_a_late_evening_call_counts_on_its_local_day(client_for, officer_a, calls):
    """23:30 in Shanghai is 15:30 UTC the same day: the day is cut in the node's time zone."""
    assert seqs(client_for(officer_a).get(LIST, {"date_to": "2026-05-04", "mode": "verify"})) == [4]
    assert seqs(client_for(officer_a).get(LIST, {"date_from": "2026-05-05"})) == []


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "not-a-date"},
        {"date_from": "2026-05-04", "date_to": "2026-05-01"},
        {"consumer": "abc"},
        {"consumer": "99999999999999999999999"},
        {"provider": "-1"},
        {"application": "1; DROP TABLE x"},
        {"resource": "999999"},
        {"status_class": "7xx"},
        {"mode": "delete"},
        {"side": "everyone"},
        {"request_id": "x" * 65},
        {"case_number": "BJ\x00001"},
        {"date_from": "0001-01-01"},
        {"date_to": "9999-12-31"},
    ],
)
def test_malformed_filters_are_form_errors_not_500(client_for, officer_a, calls, params):
    client = client_for(officer_a)
    response = client.get(LIST, params)
    assert response.status_code == 400
    page = response.content.decode()
    assert "invalid-feedback" in page or "alert-danger" in page
    assert 'data-seq="' not in page
    assert client.get(EXPORT, params).status_code == 400


def test_the_widest_date_range_is_valid(client_for, officer_a, calls):
    params = {"date_from": "2000-01-01", "date_to": "2999-12-31"}
    assert seqs(client_for(officer_a).get(LIST, params)) == [4, 3, 2, 1]


def test_a_malformed_page_number_shows_a_page(client_for, officer_a, calls):
    assert seqs(client_for(officer_a).get(LIST, {"page": "abc"})) == [4, 3, 2, 1]
    assert seqs(client_for(officer_a).get(LIST, {"page": "99999999999999999999"})) == [4, 3, 2, 1]


def test_list_pages_by_25_with_filters_kept(client_for, auditor, dept_a, dept_b):
    log(*(delivery(dept_b, dept_a, status=200 if n % 2 else 404) for n in range(60)))
    client = client_for(auditor)
    first = client.get(LIST, {"status_class": "2xx"})
    assert len(seqs(first)) == 25
    assert "?status_class=2xx&amp;page=2" in first.content.decode()
    second = client.get(LIST, {"status_class": "2xx", "page": 2})
    assert len(seqs(second)) == 5


def test_list_queries_do_not_grow_with_the_records(
    client_for, officer_a, dept_a, dept_b, django_assert_max_num_queries
):
    client = client_for(officer_a)
    log(*(delivery(dept_b, dept_a) for _ in range(3)))
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    log(*(delivery(dept_b, dept_a, status=404, error_code=f"e{n}") for n in range(20)))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)


# --- charts ---------------------------------------------------------------------------------


def test_charts_are_drawn_from_json_blocks_without_inline_script(client_for, officer_a, calls):
    response = client_for(officer_a).get(LIST)
    page = response.content.decode()
    per_day = json_block(response, "gs-delivery-per-day")
    assert per_day["type"] == "stacked"
    assert per_day["x"] == ["2026-05-02", "2026-05-03", "2026-05-04"]
    data = {series["key"]: series["data"] for series in per_day["series"]}
    assert data == {"2xx": [1, 0, 1], "4xx": [0, 1, 0], "5xx": [0, 0, 1]}
    consumers = json_block(response, "gs-delivery-consumers")
    assert consumers["labels"] == ["人社局", "公安局"] and consumers["values"] == [3, 1]
    errors = json_block(response, "gs-delivery-errors")
    assert sorted(errors["labels"]) == ["item_not_granted", "upstream_failure"]
    assert "exchange/deliveries-charts.js" in page
    assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))[^>]*>", page)
    assert not re.search(r"\son[a-z]+=", page)


def test_selectors_aggregate_in_the_database(officer_a, calls):
    rows = selectors.deliveries(officer_a, DeliveryFilters())
    stats = selectors.delivery_stats(rows)
    assert stats["totals"] == {"total": 4, "2xx": 2, "4xx": 1, "5xx": 1}
    assert stats["resources"][0]["calls"] == 3
    assert [e["code"] for e in stats["errors"]] == ["item_not_granted", "upstream_failure"]
    assert stats["errors"][0]["status"] == 403


def test_calls_per_day_fills_gaps_and_cuts_days_locally(dept_a, dept_b, auditor):
    log(
        delivery(dept_b, dept_a, created=at("2026-04-28", 0, 10)),
        delivery(dept_b, dept_a, created=at("2026-05-01", 23, 50)),  # 15:50 UTC
        delivery(dept_b, dept_a, created=at("2026-05-02", 0, 5)),  # 16:05 UTC the day before
    )
    per_day = selectors.calls_per_day(selectors.deliveries(auditor, DeliveryFilters()))
    assert per_day["x"] == ["2026-04-28", "2026-04-29", "2026-04-30", "2026-05-01", "2026-05-02"]
    assert per_day["series"][0] == {"name": "2xx", "data": [1, 0, 0, 1, 1]}


def test_no_chart_when_nothing_matches(client_for, officer_c):
    page = client_for(officer_c).get(LIST).content.decode()
    assert "gs-delivery-per-day" not in page
    assert "No calls match." in page or 'id="gs-delivery-table"' in page


# --- CSV export -----------------------------------------------------------------------------


def exported(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_export_holds_the_filtered_visible_records(client_for, officer_a, calls):
    rows = exported(client_for(officer_a).get(EXPORT, {"side": "provider"}))
    header, body = rows[0], rows[1:]
    assert len(header) == 21 and header[0] and header[-1]
    assert [int(row[0]) for row in body] == [3, 2, 1]
    assert calls[0].request_id in body[-1]
    assert "GMSFHM,XM" in body[-1]
    assert "公安局" in body[-1]  # provider name
    assert calls[0].hash in body[-1]
    assert all(header) and len(body[-1]) == len(header)


def test_export_neutralises_formulas(client_for, officer_b, calls):
    rows = exported(client_for(officer_b).get(EXPORT, {"status_class": "4xx"}))
    assert "'=HYPERLINK(1)" in rows[1]


def test_export_of_a_third_department_holds_only_its_own(client_for, officer_c, calls):
    rows = exported(client_for(officer_c).get(EXPORT))
    assert [int(row[0]) for row in rows[1:]] == [5]


def test_export_is_bounded(client_for, auditor, dept_a, dept_b, monkeypatch):
    from govshare.exchange.views import deliveries as views_deliveries

    monkeypatch.setattr(views_deliveries, "MAX_EXPORT_ROWS", 2)
    log(*(delivery(dept_b, dept_a) for _ in range(5)))
    rows = exported(client_for(auditor).get(EXPORT))
    assert [int(row[0]) for row in rows[1:]] == [5, 4]


def test_the_list_says_why_a_call_was_refused_not_its_code(client_for, officer_a, calls):
    # Given a call refused with item_not_granted, its row reads the gateway's message for it.
    page = client_for(officer_a).get(LIST).content.decode()
    row = page.split(f'data-seq="{calls[1].seq}"', 1)[1].split("</tr>", 1)[0]
    text = re.sub(r"<[^>]+>", " ", row)
    assert str(MESSAGES[GatewayCode.ITEM_NOT_GRANTED][1]) in html.unescape(text)
    assert "item_not_granted" not in text
