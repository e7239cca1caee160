"""The delivery log shows table syncs (库表) and file packages (文件) like gateway calls: the mode
filter finds them, the figures count them per mode, and the list marks them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api_client import api_client
from tests.exchange.delivery_factories import delivery, log

pytestmark = pytest.mark.django_db

API = "/api/v1/exchange"


@pytest.fixture
def records(dept_a, dept_b):
    """B's query call, a table sync of 1,000 rows and a file package of 20 rows, on A's data."""
    return log(
        delivery(dept_b, dept_a),
        delivery(dept_b, dept_a, mode="table", row_count=1000, app_key="", latency_ms=0),
        delivery(dept_b, dept_a, mode="file", row_count=20, app_key="", latency_ms=0),
    )


def test_the_figures_count_deliveries_per_mode(officer_a, records):
    # when the provider reads the figures
    body = api_client(officer_a).get(f"{API}/deliveries/stats").json()

    # then each mode is counted with the rows it delivered
    assert {m["mode"]: (m["calls"], m["rows"]) for m in body["modes"]} == {
        "query": (1, 1),
        "table": (1, 1000),
        "file": (1, 20),
    }
    assert body["totals"]["total"] == 3


def test_the_mode_filter_finds_table_syncs(officer_b, records):
    items = api_client(officer_b).get(f"{API}/deliveries", {"mode": "table"}).json()["items"]
    assert [item["seq"] for item in items] == [records[1].seq]


def test_the_list_page_marks_bulk_deliveries_and_charts_modes(client_for, officer_a, records):
    page = client_for(officer_a).get(reverse("exchange:delivery_list"), {"mode": "file"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-bulk-mode="file"' in html and 'data-bulk-mode="table"' not in html
    assert page.context["charts"]["modes"]["values"] == [1]


def test_another_department_sees_no_bulk_delivery(officer_c, records):
    body = api_client(officer_c).get(f"{API}/deliveries/stats").json()
    assert body["modes"] == []
