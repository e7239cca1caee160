"""One English word, two meanings: each meaning has a message context of its own, so that
the Chinese catalogue translates them apart (issue 12, "translation collision")."""

from __future__ import annotations

from django.utils import translation

from govshare.inventory.models import CleanupRecord
from govshare.sharing.models import RequestItem


def test_an_answer_on_a_requested_item_is_not_a_clean_up_decision():
    with translation.override("zh-hans"):
        answer = str(RequestItem._meta.get_field("decision").verbose_name)
        clean_up = str(CleanupRecord._meta.get_field("decision").verbose_name)
    assert answer != clean_up
