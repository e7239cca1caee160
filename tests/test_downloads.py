"""Every download is named in the user's language (issue 12 item 7: the census template came
as "Census workbook.xlsx" in the Chinese UI), sent as RFC 6266 says: ``filename*`` in UTF-8
(RFC 5987) and an ASCII ``filename`` for clients that read only that."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone, translation

pytestmark = pytest.mark.django_db

DAY, MONTH = "-%Y%m%d", "-%Y-%m"  # the suffixes: the day of an export, a report's month
# (url name, the name's msgid, its suffix, extension)
DOWNLOADS = [
    ("catalog:template", "Catalog workbook", "", "xlsx"),
    ("catalog:export", "Information resource catalog", DAY, "xlsx"),
    ("catalog:export_csv", "Information resource catalog", DAY, "csv"),
    ("catalog:export_json", "Information resource catalog", DAY, "json"),
    ("catalog:export_dcat", "Information resource catalog", DAY, "jsonld"),
    ("inventory:census_template", "Census workbook", "", "xlsx"),
    ("inventory:census_export", "System census", DAY, "xlsx"),
    ("inventory:funding_gate_export", "Funding gate", DAY, "xlsx"),
    ("inventory:progress_workbook", "Progress statistics", MONTH, "xlsx"),
    ("exchange:delivery_export", "Delivery log", DAY, "csv"),
]
HEADER = re.compile(r"""^attachment; filename="([ -~]+)"; filename\*=UTF-8''([A-Za-z0-9%._~-]+)$""")


def names(response) -> tuple[str, str]:
    """The ASCII fallback and the decoded UTF-8 name of an attachment."""
    match = HEADER.match(response["Content-Disposition"])
    assert match, response["Content-Disposition"]
    return match[1], unquote(match[2])


@pytest.mark.parametrize("url, msgid, suffix, extension", DOWNLOADS, ids=lambda v: str(v))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_download_is_named_in_the_users_language(
    client_for, reviewer, language, url, msgid, suffix, extension
):
    # when the reviewer downloads it with pages in ``language``
    response = client_for(reviewer).get(reverse(url), HTTP_ACCEPT_LANGUAGE=language)
    suffix = timezone.localdate().strftime(suffix) if suffix else ""

    # then its name is the msgid's translation, and the fallback the English name
    assert response.status_code == 200
    fallback, name = names(response)
    with translation.override(language):
        assert name == f"{translation.gettext(msgid)}{suffix}.{extension}"
    assert fallback == f"{msgid}{suffix}.{extension}"


@pytest.mark.parametrize(
    "url, chinese",
    [("inventory:census_export", "信息系统普查"), ("exchange:delivery_export", "交付日志")],
)
def test_a_download_in_the_chinese_ui_has_a_chinese_name(client_for, reviewer, url, chinese):
    response = client_for(reviewer).get(reverse(url), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert names(response)[1].startswith(f"{chinese}-{timezone.localdate():%Y%m%d}.")
