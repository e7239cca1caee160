"""Chinese first: every message in the zh-hans catalogue is translated."""

from __future__ import annotations

import re
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


def test_translations_keep_every_placeholder():
    catalogue = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"
    placeholder = re.compile(r"%\([a-z_]+\)[sdf]|%\([a-z_]+\)\.\d+f|%[sd]")
    broken = [
        entry.msgid
        for entry in polib.pofile(str(catalogue))
        if sorted(placeholder.findall(entry.msgid))
        != sorted(placeholder.findall(entry.msgstr or entry.msgstr_plural.get(0, "")))
    ]
    assert not broken, broken
