"""In a real browser at 1366×768: the delivery log's table fits the screen (issue 12).

A new user saw the 应用 column wrap every two characters, rows about 250 px tall, 办件编号 cut
off and a gap after 状态. The table now keeps its rows one or two lines high, no cell wraps
character by character, and it needs no horizontal scrolling; the details are on each record's
page. Measured from the cells' bounding boxes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from govshare.core.roles import Role
from tests.browser.test_catalog_review import sign_in
from tests.exchange.delivery_factories import delivery, log
from tests.factories import DepartmentFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_ROW_HEIGHT = 64  # px: two lines of text and the cell's padding

# For each cell: its height, width, how many characters it holds and how many lines they take.
MEASURE = """(table) => Array.from(table.querySelectorAll('tbody tr')).map(row => ({
  height: row.getBoundingClientRect().height,
  cells: Array.from(row.cells).map(cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    // A box that starts below the current line's bottom starts a new line (a badge and the
    // text beside it share one line though their tops differ).
    const boxes = Array.from(range.getClientRects()).filter(r => r.width > 0)
      .sort((a, b) => a.top - b.top);
    let lines = 0, bottom = -Infinity;
    for (const box of boxes) {
      if (box.top >= bottom - 2) { lines += 1; bottom = box.bottom; }
      else { bottom = Math.max(bottom, box.bottom); }
    }
    return {text: cell.innerText.trim(), lines, width: cell.getBoundingClientRect().width};
  }),
}))"""


def test_the_delivery_log_fits_a_1366_pixel_screen(live_server, browser, tmp_path):
    base = live_server.url
    # Given calls by an application with a long name, on a resource with a long name, with a
    # long case number and many items,
    consumer = DepartmentFactory(name="潍坊市人力资源和社会保障局")
    provider = DepartmentFactory(name="潍坊市公安局")
    member(consumer, Role.DATA_OFFICER, username="rs_officer")
    items = ["GMSFHM", "XM", "XBDM", "CSRQ", "MZDM", "HJDZ", "LXDH", "ZZDZ"]
    log(
        *(
            delivery(
                consumer,
                provider,
                application_name="潍坊市社会保险经办业务综合管理信息系统",
                resource_name="潍坊市户籍人口基本信息（含身份证件与户籍地址）",
                items=items,
                masked=items[:4],
                status=403 if n % 3 == 0 else 200,
                error_code="item_not_granted" if n % 3 == 0 else "",
                end_user="人社局窗口经办人员张三",
                case_number=f"RS-2026-0504-{n:06d}-SHBX",
            )
            for n in range(12)
        )
    )
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        # when its data officer reads the delivery log on a 1366-pixel screen,
        sign_in(page, base, "rs_officer")
        page.goto(base + "/exchange/deliveries/")
        table = page.locator("#gs-delivery-table")
        expect(table.locator("tbody tr")).to_have_count(12)
        page.screenshot(path=str(tmp_path / "deliveries-1366.png"), full_page=True)
        rows = table.evaluate(MEASURE)
        # then every row is at most two lines high,
        assert max(row["height"] for row in rows) <= MAX_ROW_HEIGHT, rows[0]
        # no cell breaks its text over more than two lines (no wrap every few characters),
        tall = [cell for row in rows for cell in row["cells"] if cell["lines"] > 2]
        assert not tall, tall[:3]
        # and the table needs no horizontal scrolling: the case number is in sight.
        overflow = table.evaluate("t => t.scrollWidth - t.parentElement.clientWidth")
        assert overflow <= 1, overflow
        case = table.locator("tbody tr").first.locator("[data-case-number]")
        box = case.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1366
        expect(case).to_have_attribute("title", "RS-2026-0504-000011-SHBX")
    finally:
        context.close()
