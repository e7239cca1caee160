"""Messages joined as running text keep each language's punctuation (issue #12: "。；")."""

from __future__ import annotations

import pytest

from govshare.core.text import join_sentences


@pytest.mark.parametrize(
    "sentences, joined",
    [
        (["请输入日期。", "请选择类型。"], "请输入日期。请选择类型。"),
        (["Enter a day.", "Select a kind."], "Enter a day. Select a kind."),
        (["名称：此项为必填项。", "", "  "], "名称：此项为必填项。"),
        (["状态（已停用）", "说明"], "状态（已停用）说明"),
        ([], ""),
    ],
)
def test_sentences_are_joined_with_a_space_only_where_the_language_puts_one(sentences, joined):
    assert join_sentences(sentences) == joined
