"""Markdown emphasis in the 简体中文 catalogue renders as emphasis, not as literal asterisks.

CommonMark closes ``**`` after punctuation only before a space or punctuation, so
``不会打开：**它们`` or ``**{algorithm}**可能`` with a name ending in ``）`` showed the asterisks
on the Chinese page. Each message is rendered the way the browser parses it (CommonMark), its
fields filled with a name that ends in full-width punctuation.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from tests.test_i18n import zh_catalogue

MARKDOWN = MarkdownIt("commonmark")
# An algorithm's Chinese name: the hardest case, full-width brackets at both ends of a field.
FIELD = "线性支持向量机（大数据）"


def stars_left(text: str) -> bool:
    """Whether an asterisk survives rendering (outside code spans)."""
    filled = re.sub(r"\{[^{}]*\}", FIELD, text)
    html = re.sub(r"<code>.*?</code>", "", MARKDOWN.render(filled))
    return "*" in html


def test_chinese_emphasis_renders_wherever_the_english_does() -> None:
    broken = [zh for en, zh in zh_catalogue().items() if not stars_left(en) and stars_left(zh)]
    assert broken == []


def test_the_check_sees_asterisks_left_after_full_width_punctuation() -> None:
    assert stars_left("文件一律不会打开：**它们是")
    assert stars_left("训练**{algorithm}**可能")
    assert not stars_left("训练 **{algorithm}** 可能")
