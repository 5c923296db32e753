"""Translations: the catalogue is complete, messages keep data as it is, numbers follow the
locale (Babel), the reader's language is negotiated, and the service answers in it."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from mllib import i18n, lesson
from mllib.errors import GlassboxError
from mllib.i18n import Message, msg, pick_language, translator
from tests.conftest import ROOT

ZH_PO = i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "glassbox.po"
KEYWORDS = {"_": None, "N_": None, "msg": None, "tr": None}  # as `make messages` extracts


def extracted() -> dict[str, list[str]]:
    """Every msgid in the code (as babel.cfg and the Makefile extract them) → where."""
    method_map = [
        ("app.py", "python"),
        ("pages/**.py", "python"),
        ("ui/**.py", "python"),
        ("mllib/**.py", "python"),
    ]
    found: dict[str, list[str]] = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, []).append(filename)
    return found


def zh_catalogue() -> dict[str, str]:
    with ZH_PO.open("rb") as source:
        catalog = read_po(source, locale="zh_CN")
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str)}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_msgid_in_the_code_has_a_chinese_translation() -> None:
    code, zh = extracted(), zh_catalogue()
    missing = {m: where for m, where in code.items() if not zh.get(m, "").strip()}
    assert not missing, f"{len(missing)} msgids have no Chinese translation (run `make messages` "
    f"and translate locales/zh_CN/LC_MESSAGES/glassbox.po): {list(missing.items())[:10]}"


def test_translations_keep_every_placeholder() -> None:
    zh = zh_catalogue()
    wrong = {m: s for m, s in zh.items() if s and "{" in m and fields(m) != fields(s)}
    assert not wrong, wrong


def test_no_compiled_catalogue_is_committed_it_is_built_from_the_po() -> None:
    assert not list(i18n.LOCALE_DIR.rglob("*.mo"))
    assert translator("zh")("Home") == "首页"


def test_english_is_the_msgid_itself_and_chinese_comes_from_the_catalogue() -> None:
    en, zh = translator("en"), translator("zh")
    assert en("Decision tree") == "Decision tree"
    assert zh("Decision tree") == "决策树"
    assert zh("Something not in any catalogue") == "Something not in any catalogue"


def test_an_empty_text_stays_empty_in_every_language() -> None:
    """gettext("") is the catalogue's header: an empty note must not become it."""
    assert translator("zh").text("") == "" and translator("en").text(None) == ""


def test_a_message_is_english_as_text_and_keeps_its_data_untranslated() -> None:
    message = msg("the key “{key}” appears twice in one object", key="Decision tree")
    assert str(message) == "the key “Decision tree” appears twice in one object"
    said = translator("zh").text(message)
    assert said == "同一个对象中键“Decision tree”出现了两次"  # the data stays as it is


def test_a_nested_message_parameter_is_translated_with_its_sentence() -> None:
    outer = msg("; check {names}", names=Message("Decision tree"))
    assert str(outer) == "; check Decision tree"
    assert translator("zh").text(outer) == "；请检查 决策树"


def test_glassbox_error_keeps_its_english_text_and_translates_on_request() -> None:
    err = GlassboxError(msg("the body is not UTF-8 text ({reason})", reason="x"), "Home")
    assert err.message == "the body is not UTF-8 text (x)" and err.hint == "Home"
    assert str(err) == "the body is not UTF-8 text (x) Home"
    assert err.text(translator("en")) == str(err)
    assert err.text(translator("zh")) == "请求体不是 UTF-8 文本（x） 首页"
    plain = GlassboxError("An English sentence")  # not yet converted: shown as it is
    assert plain.text(translator("zh")) == "An English sentence"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9,zh;q=0.8", "en"),
        ("fr-FR,zh-TW;q=0.7", "zh"),
        ("de, en;q=0.1", "en"),
        ("zh;q=0, en", "en"),
        ("", "en"),
        (None, "en"),
        ("zh_Hans_CN", "zh"),
        ("garbage;q=x,,", "en"),
    ],
)
def test_accept_language_picks_a_supported_language(header: str | None, language: str) -> None:
    assert pick_language(header) == language


def test_numbers_percentages_and_dates_follow_the_locale() -> None:
    en, zh = translator("en"), translator("zh")
    assert en.number(1234567) == "1,234,567" and zh.number(1234567) == "1,234,567"
    assert en.number(0.98765, 3) == "0.988" and zh.number(2, 2) == "2.00"
    assert zh.percent(0.256, 1) == "25.6%" and en.percent(0.5) == "50%"
    assert en.date(date(2026, 11, 29), "long") == "November 29, 2026"
    assert zh.date(date(2026, 11, 29), "long") == "2026年11月29日"


def test_a_lesson_link_carries_the_language_without_changing_what_it_shows() -> None:
    link = lesson.LessonLink("iris", "tree", language="zh")
    query = lesson.encode(link)
    assert query["lang"] == "zh"
    back = lesson.decode(query)
    assert back.language == "zh"
    assert back == lesson.decode({k: v for k, v in query.items() if k != "lang"})


# --- the service answers errors in the client's language ---------------------------------------


def test_service_errors_follow_accept_language() -> None:
    from tests.test_serve import client

    english = client().get("/nowhere")
    assert english.status_code == 404
    assert english.json["error"]["message"] == "no such endpoint /nowhere; see GET /openapi.json"
    assert english.headers["Content-Language"] == "en"
    chinese = client().get("/nowhere", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert chinese.status_code == 404 and chinese.json["error"]["code"] == "not_found"
    assert chinese.json["error"]["message"] == "没有 /nowhere 这个端点；请查看 GET /openapi.json"
    assert chinese.headers["Content-Language"] == "zh"
    body = client().post(
        "/predict",
        data=b"{",
        headers={"Content-Type": "application/json", "Accept-Language": "zh"},
    )
    assert body.status_code == 400 and re.search(
        "JSON 格式错误，位于第 1 行", body.json["error"]["message"]
    )


def test_extraction_sees_the_markers_in_every_part() -> None:
    where = {Path(p).parts[0] for paths in extracted().values() for p in paths}
    assert {"mllib", "ui"} <= where
