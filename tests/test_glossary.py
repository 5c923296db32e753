"""The Chinese catalogue uses docs/glossary-zh.md's term wherever the English term occurs."""

from __future__ import annotations

import re

from tests.conftest import ROOT
from tests.test_i18n import zh_catalogue

GLOSSARY = ROOT / "docs" / "glossary-zh.md"
#: The terms issue 15 names; the glossary must keep them.
REQUIRED = (
    "线性回归",
    "决策树",
    "支持向量机",
    "信息增益",
    "超参数",
    "交叉验证",
    "混淆矩阵",
    "支持向量",
    "间隔",
)


def glossary() -> dict[str, str]:
    """English term → Chinese term, from the glossary's table."""
    terms = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        header = cells[0] == "English" or set(cells[0]) <= {"-"}
        if len(cells) >= 2 and line.startswith("|") and not header:
            terms[cells[0]] = cells[1]
    return terms


def uses(english: str, text: str) -> bool:
    """``english`` (or its plural) occurs in ``text`` as whole words, any case."""
    return re.search(rf"(?<![\w-]){re.escape(english)}(?:s|es)?(?![\w-])", text, re.I) is not None


def inconsistent(catalogue: dict[str, str], terms: dict[str, str]) -> list[tuple[str, str, str]]:
    """(msgid, English term, Chinese term) for every translation that misses its term."""
    return [
        (msgid, en, zh)
        for msgid, text in catalogue.items()
        if text
        for en, zh in terms.items()
        if uses(en, re.sub(r"\{[^}]*\}", " ", msgid)) and zh not in text  # {target} is data
    ]


def test_the_glossary_lists_the_standard_terms() -> None:
    terms = glossary()
    assert len(terms) >= 40
    assert set(REQUIRED) <= set(terms.values())
    assert terms["decision tree"] == "决策树" and terms["margin"] == "间隔"


def test_the_catalogue_uses_the_glossary_terms() -> None:
    wrong = inconsistent(zh_catalogue(), glossary())
    assert not wrong, wrong[:10]


def test_the_check_catches_a_translation_that_misses_its_term() -> None:
    terms = {"decision tree": "决策树", "feature": "特征"}
    catalogue = {"Decision trees split features": "判定树划分属性", "No features": "没有特征"}
    assert inconsistent(catalogue, terms) == [
        ("Decision trees split features", "decision tree", "决策树"),
        ("Decision trees split features", "feature", "特征"),
    ]
    assert not uses("dual", "individual") and uses("margin", "Margins")
