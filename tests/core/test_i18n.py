"""Chinese first: every message in the zh-hans catalogue is translated."""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings


def test_every_msgid_has_a_chinese_translation():
    catalogue = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(catalogue))
    untranslated = [entry.msgid for entry in po.untranslated_entries() if not entry.obsolete]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy
