"""Downloads: the attachment header of RFC 6266 (a UTF-8 name and an ASCII fallback), and the
files kept a day for their owner."""

from __future__ import annotations

import os
import time
from urllib.parse import unquote

from govshare.core.web import downloads
from govshare.core.web.downloads import ascii_name, content_disposition, keep, kept
from tests.test_downloads import HEADER


def test_the_header_quotes_what_a_quoted_string_cannot_hold():
    # given a name with a quote, a backslash, Chinese and a control character
    header = content_disposition('报表 "季度"\\x\x01', suffix="-1", extension="xlsx")

    # then the fallback keeps only safe ASCII and the UTF-8 name is percent-encoded whole
    match = HEADER.match(header)
    assert match and match[1] == "x_-1.xlsx"
    assert unquote(match[2]) == '报表 "季度"\\x\x01-1.xlsx'
    assert ascii_name("统计表.xlsx", "xlsx") == "download.xlsx"


def test_a_kept_file_is_its_owners_for_a_day(settings, tmp_path):
    # given a file kept for user 7
    settings.VAR_DIR = tmp_path
    token = keep(7, b"workbook", "errors")

    # then user 7 gets it with its token, nobody else does, nor a made-up token
    assert kept(7, token, "errors") == b"workbook"
    assert kept(8, token, "errors") is None
    assert kept(7, "../" + token, "errors") is None and kept(7, "x" * 22, "errors") is None

    # and a day later it is gone, and cleared when the next file is kept
    path = tmp_path / "downloads" / "errors" / f"7-{token}"
    old = time.time() - downloads.KEPT_SECONDS - 1
    os.utime(path, (old, old))
    assert kept(7, token, "errors") is None
    keep(7, b"next", "errors")
    assert not path.exists()
