"""The Simplified Chinese catalog: complete for the current source, compiled, and used by the CLI and the TUI."""

from __future__ import annotations

import gettext
import importlib.util
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crmtui.core import i18n

ROOT = Path(__file__).resolve().parents[1]


def _load_tool():  # type: ignore[no-untyped-def]
    """tools/i18n.py (not a package; loaded under its own name so it never shadows crmtui.core.i18n)."""
    spec = importlib.util.spec_from_file_location("crmtui_i18n_tool", ROOT / "tools" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


@pytest.fixture
def zh() -> Iterator[None]:
    """The UI in Chinese for one test; English again afterwards (the other tests expect it)."""
    i18n.set_language("zh")
    yield
    i18n.set_language("en")


@pytest.fixture(scope="module")
def template():  # type: ignore[no-untyped-def]
    """The messages of the current source, extracted the way `python tools/i18n.py extract` does."""
    return tool.extract()


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return tool.read_catalog("zh")


def _messages(mo: bytes) -> dict[object, str]:
    """A compiled catalog's translations, without the header (whose Generated-By names the Babel version)."""
    translations = gettext.GNUTranslations(io.BytesIO(mo))
    return {key: value for key, value in translations._catalog.items() if key != ""}  # noqa: SLF001


# ---------------------------------------------------------------- the catalog files


def test_the_shipped_mo_is_the_compiled_po() -> None:
    shipped = tool.mo_path("zh").read_bytes()
    assert _messages(shipped) == _messages(tool.compiled("zh")), (
        "crmtui.mo differs from crmtui.po: run `python tools/i18n.py compile`"
    )


def test_every_message_of_the_source_has_a_chinese_translation(template, catalog) -> None:  # type: ignore[no-untyped-def]
    missing, fuzzy = [], []
    for message in template:
        if not message.id:
            continue
        entry = catalog.get(message.id, context=message.context)
        if entry is None or not entry.string:
            missing.append(message.id)
        elif entry.fuzzy:
            fuzzy.append(message.id)
    assert not missing, f"not in crmtui.po or untranslated (run `python tools/i18n.py extract`, translate): {missing}"
    assert not fuzzy, f"fuzzy in crmtui.po (check the translation, remove the fuzzy flag): {fuzzy}"
    assert len([m for m in template if m.id]) >= 150


def test_translations_are_chinese(catalog) -> None:  # type: ignore[no-untyped-def]
    """Every translation has Chinese text, except those that are only keys, placeholders and marks."""
    allowed_without_chinese = {"{title} → {stage}", "{field}: {expected}", "{problem}", "{heading}:",
                               "  #{seq} {customer} · {what}: {reason}", "  {table} {id}: {reason}",
                               "{why}: {reason}", "{reason}", "({when}, {source})",
                               "{number} ({priority})", "{day} · {channel} · {purpose}"}
    latin = [m.id for m in catalog if m.id and m.string and m.id not in allowed_without_chinese
             and not any("\u4e00" <= ch <= "\u9fff" or ch == "、" for ch in "".join(m.string))]
    assert not latin, latin


def test_translations_keep_the_placeholders(catalog) -> None:  # type: ignore[no-untyped-def]
    wrong = [
        (m.id, m.string) for m in catalog
        if m.id and m.string and tool.placeholders(m.id) != tool.placeholders(m.string)
    ]
    assert not wrong, wrong
    plurals = [m for m in catalog if isinstance(m.id, tuple)]
    assert plurals and all(len(m.string) == 1 and m.string[0] for m in plurals)  # Chinese: one form
    # and each of them still formats with the names the code passes
    assert _zh(catalog, "stalled {days} d in {stage}").format(days=9, stage="报价") == "报价停滞 9 天"
    assert _zh(catalog, "overdue {days} d").format(days=3) == "逾期 3 天"


def test_keys_and_commands_stay_as_they_are(catalog) -> None:  # type: ignore[no-untyped-def]
    import re

    for msgid in (m.id for m in catalog if m.id):
        text = _zh(catalog, msgid)
        words = " ".join(msgid) if isinstance(msgid, tuple) else msgid
        for token in ("Ctrl+S", "Ctrl+O", "Esc", "Tab", "y/n", "1-7", "--yes", "`crm demo`", "`crm`"):
            # the key as a word of its own: "Escalated" names no key
            if re.search(rf"(?<![A-Za-z]){re.escape(token)}(?![A-Za-z])", words):
                assert token in text, (msgid, text, token)


def _zh(catalog, msgid: str) -> str:  # type: ignore[no-untyped-def]
    return catalog.get(msgid).string


def test_extraction_is_deterministic_and_the_pot_current(template) -> None:  # type: ignore[no-untyped-def]
    from babel.messages.pofile import read_po

    assert tool._dump_po(template) == tool._dump_po(tool.extract())  # noqa: SLF001
    shipped = tool.POT.read_bytes()
    assert b"POT-Creation-Date: 2026-01-01" in shipped
    with tool.POT.open("rb") as handle:
        pot = read_po(handle)

    def messages(catalog):  # type: ignore[no-untyped-def]
        return [(m.id, sorted({path for path, _line in m.locations})) for m in catalog if m.id]

    assert messages(pot) == messages(template), "crmtui.pot is stale: run `python tools/i18n.py extract`"


# ---------------------------------------------------------------- choosing the language


def test_plural_messages_are_translated_for_every_count(zh) -> None:  # type: ignore[no-untyped-def]
    one, many = "{count} change was rejected by the server: press {key} to see why", \
        "{count} changes were rejected by the server: press {key} to see why"
    assert i18n.ngettext(one, many, 1).format(count=1, key="C") == "服务器拒绝了 1 项更改：按 C 查看原因"
    assert i18n.ngettext(one, many, 5).format(count=5, key="C") == "服务器拒绝了 5 项更改：按 C 查看原因"
    assert i18n.names_text(["甲", "乙", "丙", "丁", "戊"]) == "甲、乙、丙 及另外 2 个"


def test_plural_messages_fall_back_to_english_forms() -> None:
    assert i18n.ngettext("{count} edit lost", "{count} edits lost", 1).format(count=1) == "1 edit lost"
    assert i18n.ngettext("{count} edit lost", "{count} edits lost", 2).format(count=2) == "2 edits lost"


def test_set_language_zh_translates(zh) -> None:  # type: ignore[no-untyped-def]
    assert i18n.language == "zh"
    assert i18n._("Overdue") == "逾期未跟进"
    assert i18n._("overdue {days} d").format(days=3) == "逾期 3 天"
    assert i18n._("not in the catalog") == "not in the catalog"


def test_english_is_the_source_text() -> None:
    i18n.set_language("en")
    assert i18n._("Overdue") == "Overdue"


def _locale(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", lang)


def test_auto_follows_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    _locale(monkeypatch, "zh_CN.UTF-8")
    assert i18n.choose_language("auto") == "zh"
    _locale(monkeypatch, "C.UTF-8")
    assert i18n.choose_language("auto") == "en"
    _locale(monkeypatch, "en_US.UTF-8")
    assert i18n.choose_language("auto") == "en"


def test_the_config_wins_over_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    _locale(monkeypatch, "en_US.UTF-8")
    assert i18n.choose_language("zh") == "zh"
    _locale(monkeypatch, "zh_CN.UTF-8")
    assert i18n.choose_language("en") == "en"


# ---------------------------------------------------------------- the CLI and the TUI in Chinese


def _crm_in_chinese(home: Path, *args: str):  # type: ignore[no-untyped-def]
    """Runs `crm ARGS` with language = "zh" in the config; English is restored afterwards."""
    from crmtui.cli.commands import app

    (home / "config" / "config.toml").write_text('timezone = "Asia/Shanghai"\nlanguage = "zh"\n', encoding="utf-8")
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        i18n.set_language("en")


def test_the_cli_speaks_chinese(home: Path) -> None:
    result = _crm_in_chinese(home, "today")
    assert result.exit_code == 0, result.output
    assert "今日待办 2026-11-24" in result.output
    assert "今天没有待办" in result.output


def _three_days_overdue(ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    """张三, whose next follow-up was due three days ago."""
    from datetime import timedelta

    from crmtui.services.customers import add_customer
    from crmtui.services.follow_ups import log_follow_up

    from .conftest import NOW

    frozen.move_to(NOW - timedelta(days=5))
    customer = add_customer(ctx, "张三")
    log_follow_up(ctx, customer.id, channel="phone", goal="g", goal_met=True, notes="n", next_plan="回电",
                  next_at="in 2 days")
    frozen.move_to(NOW)


def test_the_cli_agenda_is_chinese(home: Path, ctx, frozen) -> None:  # type: ignore[no-untyped-def]
    _three_days_overdue(ctx, frozen)
    result = _crm_in_chinese(home, "today")
    assert result.exit_code == 0, result.output
    assert "逾期未跟进 (1)" in result.output  # the section title
    assert "张三  ·  逾期 3 天  ·  → 回电" in result.output  # the reason


async def test_the_tui_speaks_chinese(ctx, zh) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Static

    from crmtui.tui.app import build_app

    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        descriptions = {active.binding.id: active.binding.description for active in app.screen.active_bindings.values()}
        assert descriptions["log"] == "写跟进"
        assert descriptions["today"] == "今日待办"
        assert descriptions["quit"] == "退出"
        title = str(app.screen.query_one("#today-title", Static).render())
        assert "今日待办" in title
        assert "11月24日 周二" in title
        await pilot.press("question_mark")
        await pilot.pause()
        rows = dict((text, keys) for keys, text in app.screen.rows)  # type: ignore[attr-defined]
        assert "写跟进" in rows and "选择沟通方式" in rows


async def test_the_tui_agenda_reasons_are_chinese(ctx, zh, frozen) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import OptionList

    from crmtui.tui.app import build_app

    _three_days_overdue(ctx, frozen)
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        listing = app.screen.query_one("#agenda", OptionList)
        lines = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert lines[0].startswith("逾期未跟进 (1)")
        assert "张三" in lines[1] and "逾期 3 天" in lines[1]


def test_labels_read_as_plain_english_and_distinct_chinese():
    from crmtui.core import i18n, labels

    i18n.set_language("en")
    assert (labels.channel("email"), labels.status("customer"), labels.field("email")) == ("Email", "customer", "Email")
    i18n.set_language("zh")
    try:
        assert labels.channel("email") != labels.field("email")
    finally:
        i18n.set_language("en")


def test_cli_errors_speak_chinese(home: Path, ctx) -> None:  # type: ignore[no-untyped-def]
    from crmtui.services.customers import add_customer

    add_customer(ctx, "张三")
    missing = _crm_in_chinese(home, "log", "张三", "--via", "phone")
    bad_email = _crm_in_chinese(home, "add", "customer", "李四", "--email", "bad")
    bad_date = _crm_in_chinese(home, "log", "张三", "--via", "1", "--goal", "g", "--met", "--notes", "n",
                               "--next-plan", "p", "--next", "下周八")
    unknown = _crm_in_chinese(home, "show", "王五")
    assert missing.exit_code == 1 and "跟进记录还缺少：本次目标, 是否达成？, 跟进内容" in missing.stderr
    assert bad_email.exit_code == 1 and '邮箱：邮箱地址，如 name@example.com（输入的是 "bad"）' in bad_email.stderr
    assert bad_date.exit_code == 1 and '无法识别日期 "下周八"' in bad_date.stderr
    assert unknown.exit_code == 1 and '没有与 "王五" 匹配的客户' in unknown.stderr


def test_service_errors_read_in_chinese(ctx, zh, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from crmtui.core.errors import CrmError, InvalidInput, MissingFields, NotAllowed
    from crmtui.services.backup import backup
    from crmtui.services.convert import convert_lead
    from crmtui.services.customers import add_customer
    from crmtui.services.deals import add_deal, mark_paid, move_stage, parse_payment

    customer = add_customer(ctx, "张三科技")
    deal = add_deal(ctx, customer.id, "CRM", amount="5万")

    def message(error_type, call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
        with pytest.raises(error_type) as raised:
            call(*args, **kwargs)
        return raised.value.message()

    assert message(MissingFields, move_stage, ctx, deal.id, "lost") == "移到丢单阶段还缺少：丢单原因（如 价格、竞品、没有预算、时机）"
    assert message(InvalidInput, move_stage, ctx, deal.id, "initial") == '销售阶段：与当前阶段（初步接触）不同的阶段（输入的是 "initial"）'
    assert message(NotAllowed, convert_lead, ctx, customer.id) == '"张三科技" 不是线索（状态：意向客户）'
    assert message(CrmError, mark_paid, ctx, customer.id) == '没有与 "张三科技" 匹配的未回款分期'
    too_much = [parse_payment("60000@2026-12-31")]
    assert message(InvalidInput, move_stage, ctx, deal.id, "won", contract_no="HT-1", signed="today",
                   payments=too_much) == "回款：各期回款合计不超过合同金额 50,000；现在合计 60,000"
    assert message(CrmError, backup, tmp_path / "none.db", tmp_path / "copy.db") == f"{tmp_path / 'none.db'} 还没有数据库"


def test_service_errors_stay_english_in_english(ctx) -> None:  # type: ignore[no-untyped-def]
    from crmtui.core.errors import MissingFields
    from crmtui.services.customers import add_customer
    from crmtui.services.deals import add_deal, move_stage

    deal = add_deal(ctx, add_customer(ctx, "Acme").id, "CRM")
    with pytest.raises(MissingFields) as raised:
        move_stage(ctx, deal.id, "lost")
    assert raised.value.message() == str(raised.value) == (
        "moving to Lost needs: reason (e.g. price, competitor, no budget, no decision, timing, no response, other)")


def test_a_customers_notes_and_a_follow_ups_notes_have_their_own_chinese_words(zh) -> None:  # type: ignore[no-untyped-def]
    from crmtui.core import labels

    assert labels.column("customer", "notes") == "备注"
    assert labels.column("follow_up", "notes") == "跟进内容"


def test_a_reason_other_than_a_lost_deals_is_not_called_the_lost_reason_in_chinese(zh) -> None:  # type: ignore[no-untyped-def]
    from crmtui.core import fields as field_labels

    # "Reason" names the lost deal's reason (丢单原因); a release's or a dropped revisit's reason is its own word
    assert field_labels.label("lost_reason") == "丢单原因"
    assert field_labels.label("reason") == "原因"
