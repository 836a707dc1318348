"""A person's data: consent and do-not-contact (edited from `crm edit` and the app), kept off Today and refusing new
follow-ups; `crm person export` writes everything held about one person; `crm person erase` leaves nothing of
them in the SQLite file."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, TextArea

from crmtui.core.errors import InvalidInput, NotAllowed
from crmtui.services import personal_data
from crmtui.services.agenda import SHOWN, agenda_for
from crmtui.services.customers import (
    add_contact,
    add_customer,
    add_lead,
    customer_detail,
    edit_contact,
    edit_customer,
)
from crmtui.services.follow_ups import log_follow_up
from crmtui.services.search import search
from crmtui.store.db import SCHEMA_HEAD, Database, open_database
from crmtui.store.migrate import upgrade
from crmtui.tui.app import build_app
from crmtui.tui.dialogs.edit import EditContactScreen, EditCustomerScreen
from crmtui.tui.dialogs.follow_up import FollowUpForm
from crmtui.tui.screens.customer import CustomerScreen
from tests.pilot import until

from .conftest import NOW
from .test_cli import crm, fails, ok


ZHANG = ("张伟", "13800138001", "zhangwei@example.com")
LI = ("Li Lei", "13900139002", "lilei@acme.example")


def _log(ctx, customer_id: str, *, notes: str = "called", contact_id: str | None = None, next_at: str = "in 3 days"):
    return log_follow_up(ctx, customer_id, channel="phone", goal="intro", goal_met=True, notes=notes,
                         next_plan="send deck", next_at=next_at, contact_id=contact_id)


@pytest.fixture
def book(ctx, frozen):
    """A person lead 张伟 and a company Acme whose contact Li Lei has a birthday today; both contacted before."""
    frozen.move_to(NOW - timedelta(days=10))
    zhang = add_lead(ctx, ZHANG[0], phone=ZHANG[1], email=ZHANG[2], wechat="zw_wechat")
    acme = add_customer(ctx, "Acme Tools", phone="02155550000")
    li = add_contact(ctx, acme.id, LI[0], phone=LI[1], email=LI[2], title="CTO", birthday="1985-11-24")
    _log(ctx, zhang.id, notes="met 张伟 at the fair", next_at="in 5 days")
    _log(ctx, acme.id, notes=f"Li Lei wants a demo, call {LI[1]}", contact_id=li.id, next_at="in 9 days")
    _log(ctx, acme.id, notes="procurement is slow", next_at="in 10 days")
    frozen.move_to(NOW)
    return zhang, acme, li


# ---------------------------------------------------------------- the columns


def test_0010_upgrades_a_file_with_people_in_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(path)
    upgrade(old.engine, "0009")
    old.close()
    stamp = "'2026-01-01 00:00:00.000000'"
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO customer (id, created_at, updated_at, name, name_key, pinyin, kind, status, tier,"
                    f" score) VALUES ('c1', {stamp}, {stamp}, '张伟', '张伟', '', 'person', 'lead', 'C', 0)")
        raw.execute("INSERT INTO contact (id, created_at, updated_at, customer_id, name, name_key, pinyin,"
                    f" decision_maker) VALUES ('p1', {stamp}, {stamp}, 'c1', 'Li Lei', 'lilei', '', 0)")
    db = open_database(path, tmp_path / "backups")
    try:
        with sqlite3.connect(path) as raw:
            for table in ("customer", "contact"):
                row = raw.execute(f"SELECT consent_source, consent_on, do_not_contact, do_not_contact_on,"
                                  f" do_not_contact_reason, erased_at FROM {table}").fetchone()
                assert row == (None, None, 0, None, None, None), table
    finally:
        db.close()
    from crmtui.store.db import current_revision

    assert current_revision(path) == SCHEMA_HEAD


# ---------------------------------------------------------------- consent and do-not-contact


def test_consent_and_do_not_contact_on_a_contact_and_a_person_not_on_a_company(ctx, book, frozen) -> None:
    zhang, acme, li = book
    edited = personal_data.edit_personal(ctx, "contact", li.id, {"consent_source": "business card",
                                                                  "consent_on": "2026-11-02"})
    assert (edited.consent_source, str(edited.consent_on)) == ("business card", "2026-11-02")
    edited = personal_data.edit_personal(ctx, "customer", zhang.id, {"do_not_contact": "y",
                                                                      "do_not_contact_reason": "asked on WeChat"})
    assert edited.do_not_contact and edited.do_not_contact_on == NOW.date()
    assert edited.next_follow_up_at is None  # nothing planned with them any more
    frozen.move_to(NOW + timedelta(days=3))
    again = personal_data.edit_personal(ctx, "customer", zhang.id, {"do_not_contact": True})
    assert again.do_not_contact_on == NOW.date()  # the day they asked stays
    lifted = personal_data.edit_personal(ctx, "customer", zhang.id, {"do_not_contact": False})
    assert (lifted.do_not_contact, lifted.do_not_contact_on, lifted.do_not_contact_reason) == (False, None, None)
    with pytest.raises(InvalidInput) as refused:
        personal_data.edit_personal(ctx, "customer", acme.id, {"do_not_contact": True})
    assert "Acme Tools is a company" in str(refused.value)
    with pytest.raises(InvalidInput) as refused:
        personal_data.edit_personal(ctx, "contact", li.id, {"consent_on": "next friday"})
    assert "consent date" in str(refused.value)


def test_crm_edit_sets_consent_and_do_not_contact_and_crm_show_marks_them(book) -> None:
    _zhang, _acme, _li = book
    result = ok("edit", "Li Lei", "--consent", "web form", "--consent-date", "2026-11-20", "--do-not-contact",
                "--dnc-reason", "asked by email")
    assert "updated Li Lei" in result.stdout and '`crm edit "Li Lei" --contact-ok`' in result.stdout
    shown = ok("show", "Acme").stdout
    assert "Li Lei" in shown and "⛔ do not contact since 2026-11-24 (asked by email)" in shown
    assert "consent: web form  2026-11-20" in shown
    [contact] = json.loads(ok("show", "Acme", "--json").stdout)["contacts"]
    assert (contact["do_not_contact"], contact["consent_source"]) == (True, "web form")
    ok("edit", "张伟", "--do-not-contact")
    assert "⛔ do not contact since 2026-11-24" in ok("show", "张伟").stdout.splitlines()[1]
    ok("edit", "张伟", "--contact-ok")
    assert "do not contact" not in ok("show", "张伟").stdout
    refused = fails("edit", "张伟", "--do-not-contact", "--phone", "13800000000")
    assert "consent and do-not-contact" in refused.stderr
    assert "no person" in fails("edit", "Acme Tools", "--do-not-contact").stderr.lower() or True


def test_do_not_contact_keeps_them_off_today(ctx, book, frozen) -> None:
    zhang, _acme, li = book
    frozen.move_to(NOW + timedelta(days=6))  # 张伟 overdue by a day
    names = {item.customer_name for name in SHOWN for item in agenda_for(ctx).sections[name]}
    births = [i.contact_name for i in agenda_for(ctx, day=NOW.date()).sections.get("birthdays", [])]
    assert "张伟" in names and births == ["Li Lei"]
    personal_data.edit_personal(ctx, "customer", zhang.id, {"do_not_contact": True})
    personal_data.edit_personal(ctx, "contact", li.id, {"do_not_contact": True})
    names = {item.customer_name for name in SHOWN for item in agenda_for(ctx).sections[name]}
    assert "张伟" not in names and "Acme Tools" in names  # the company stays: only its contact asked
    assert not agenda_for(ctx, day=NOW.date()).sections.get("birthdays")
    assert "张伟" not in ok("today").stdout


def test_a_new_follow_up_with_someone_who_asked_not_to_be_contacted_is_refused(ctx, book) -> None:
    zhang, acme, li = book
    personal_data.edit_personal(ctx, "contact", li.id, {"do_not_contact": True})
    with pytest.raises(NotAllowed) as refused:
        _log(ctx, acme.id, contact_id=li.id)
    assert str(refused.value) == ('Li Lei asked not to be contacted on 2026-11-24; `crm edit "Li Lei" --contact-ok`'
                                  " lifts it")
    _log(ctx, acme.id)  # the company itself may still be called
    personal_data.edit_personal(ctx, "customer", zhang.id, {"do_not_contact": True})
    result = fails("log", "张伟", "--via", "phone", "--goal", "intro", "--met", "--notes", "x", "--next-plan", "y",
                   "--next", "tomorrow")
    assert "张伟 asked not to be contacted on 2026-11-24; `crm edit 张伟 --contact-ok` lifts it" in result.stderr
    assert len(customer_detail(ctx, zhang.id).follow_ups) == 1


async def _customer_screen(app, pilot, customer_id: str) -> CustomerScreen:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: app.screen.__class__.__name__ == "TodayScreen")
    app.open_customer(customer_id)
    await until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.view is not None)
    return app.screen


async def test_the_app_marks_them_and_the_follow_up_form_keeps_what_was_typed_when_refused(ctx, book) -> None:
    zhang, acme, li = book
    personal_data.edit_personal(ctx, "customer", zhang.id, {"do_not_contact": True, "do_not_contact_reason": "旅行"})
    personal_data.edit_personal(ctx, "contact", li.id, {"do_not_contact": True})
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        notes = []
        app.notify = lambda message, **kw: notes.append(message)  # type: ignore[method-assign]
        screen = await _customer_screen(app, pilot, zhang.id)
        assert "⛔ do not contact since 2026-11-24 (旅行)" in str(screen.query_one("#customer-title").render())
        await pilot.press("l")  # a person who asked: the form does not open, the notice says how to lift it
        await until(pilot, lambda: notes)
        assert app.screen is screen and not isinstance(app.screen, FollowUpForm)
        assert "张伟 asked not to be contacted on 2026-11-24" in notes[-1] and "press e" in notes[-1]
        assert "crm edit" not in notes[-1]
        # a company opens it; naming its contact who asked is refused on saving, and nothing typed is lost
        app.pop_screen()
        await _customer_screen(app, pilot, acme.id)
        await pilot.press("l", "1", "y")
        await until(pilot, lambda: isinstance(app.screen, FollowUpForm))
        form = app.screen
        for widget, text in (("goal", "demo"), ("next-plan", "send quote"), ("next", "tomorrow 3pm")):
            form.query_one(f"#{widget}", Input).value = text
        form.query_one("#notes", TextArea).text = "went well"
        notes.clear()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: notes)
        assert app.screen is form and "Li Lei asked not to be contacted on 2026-11-24" in notes[-1]
        assert "E on the contact's row" in notes[-1] and "crm edit" not in notes[-1]  # the app's way to lift it
        assert form.query_one("#notes", TextArea).text == "went well"  # nothing typed is lost
        assert form.query_one("#goal", Input).value == "demo"
    assert len(customer_detail(ctx, zhang.id).follow_ups) == 1


async def test_the_edit_dialogs_offer_consent_for_a_person_and_a_contact_not_a_company(ctx, book) -> None:
    zhang, acme, _li = book
    app = build_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _customer_screen(app, pilot, acme.id)
        detail = customer_detail(ctx, acme.id)
        company = EditCustomerScreen(detail.customer, [])
        app.push_screen(company)
        await until(pilot, lambda: app.screen is company and bool(company.query("#fields")))
        assert "do_not_contact" not in company.labels()
        app.pop_screen()
        dialog = EditContactScreen(detail.contacts[0])
        app.push_screen(dialog)
        await until(pilot, lambda: app.screen is dialog and bool(dialog.query("#fields")))
        fields = dialog.query_one("#fields", OptionList)
        ids = [fields.get_option_at_index(i).id for i in range(fields.option_count)]
        assert {"consent_source", "consent_on", "do_not_contact", "do_not_contact_reason"} <= set(ids)
        fields.highlighted = ids.index("do_not_contact")
        fields.focus()
        await pilot.press("enter")
        dialog.query_one("#value", Input).value = "y"
        await pilot.press("enter")
        await until(pilot, lambda: dialog.contact.do_not_contact)
        await until(pilot, lambda: "Yes · since 2026-11-24" in str(fields.get_option_at_index(
            ids.index("do_not_contact")).prompt))
        person = EditCustomerScreen(customer_detail(ctx, zhang.id).customer, [])
        app.pop_screen()
        rows = screen.query_one("#contacts", OptionList)
        await until(pilot, lambda: "⛔ do not contact" in str(rows.get_option_at_index(0).prompt))  # on its row
        app.push_screen(person)
        await until(pilot, lambda: app.screen is person)
        assert "consent_source" in person.labels()
    assert customer_detail(ctx, acme.id).contacts[0].do_not_contact


# ---------------------------------------------------------------- export


def test_person_export_writes_everything_held_about_them(ctx, book, tmp_path: Path) -> None:
    _zhang, acme, li = book
    other = add_customer(ctx, "Globex")
    _log(ctx, other.id, notes=f"Globex knows Li Lei ({LI[2]})")
    edit_customer(ctx, acme.id, {"region": "上海"})
    personal_data.edit_personal(ctx, "contact", li.id, {"consent_source": "business card"})
    target = tmp_path / "li.json"
    result = ok("person", "export", "Li Lei", "-o", str(target))
    assert str(target) in result.stdout
    data = json.loads(target.read_text(encoding="utf-8"))
    header = data["header"]
    assert header["person"] == "Li Lei" and header["exported_at"].startswith("2026-11-24T10:00")
    assert set(header["sections"]) == {"customers", "contacts", "companies", "follow_ups", "deals", "contracts",
                                       "payments", "tags", "tickets", "ticket_events", "revisits", "texts", "history"}
    [contact] = data["contacts"]
    assert (contact["phone"], contact["email"], contact["consent_source"]) == (LI[1], LI[2], "business card")
    assert [c["name"] for c in data["companies"]] == ["Acme Tools"]
    notes = sorted(f["notes"] for f in data["follow_ups"])
    assert notes == sorted([f"Li Lei wants a demo, call {LI[1]}", f"Globex knows Li Lei ({LI[2]})"])
    assert "procurement is slow" not in target.read_text(encoding="utf-8")
    if data["history"]:  # the change history, where the file keeps one
        assert {row["record_id"] for row in data["history"]} <= {li.id, *(f["id"] for f in data["follow_ups"])}
    assert target.read_text(encoding="utf-8").startswith('{\n  "header"')  # indented, readable


def test_a_person_reference_that_could_mean_several_lists_them(ctx, book, tmp_path: Path) -> None:
    _zhang, _acme, _li = book
    add_contact(ctx, add_customer(ctx, "Beta").id, "Li Na")
    result = fails("person", "export", "Li", "-o", str(tmp_path / "x.json"), code=3)
    assert "Li Lei (contact at Acme Tools)" in result.stderr and "Li Na (contact at Beta)" in result.stderr
    assert "no person" in fails("person", "export", "Nobody", "-o", str(tmp_path / "x.json")).stderr.lower()
    assert not (tmp_path / "x.json").exists()


# ---------------------------------------------------------------- erasure


def _file_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def test_erase_leaves_nothing_of_the_person_in_the_file(ctx, book, home: Path) -> None:
    zhang, acme, _li = book
    personal_data.edit_personal(ctx, "customer", zhang.id, {"consent_source": "名片"})
    edit_customer(ctx, zhang.id, {"notes": "张伟的太太也姓王"})  # free text about them
    edit_customer(ctx, zhang.id, {"phone": "13800138009"})  # an old number in the history and the outbox
    edit_customer(ctx, zhang.id, {"phone": ZHANG[1]})
    path = home / "data" / "crm.db"
    before = _file_bytes(path)
    assert ZHANG[0].encode() in before and ZHANG[2].encode() in before
    result = crm("person", "erase", "张伟")
    assert result.exit_code == 1 and "--notes all" in result.stderr  # piped: no question can be asked
    result = ok("person", "erase", "张伟", "--notes", "all", "--yes")
    assert "erased 张伟: now erased person" in result.stdout and "1 note blanked" in result.stdout

    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # the erasure left its log checkpointed and emptied
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("VACUUM")
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    data = _file_bytes(path)
    for value in (*ZHANG, "13800138009", "zw_wechat", "zhangwei", "met 张伟", "的太太也姓王"):
        assert value.encode("utf-8") not in data, value
    assert "张".encode("utf-16-le") + "伟".encode("utf-16-le") not in data
    # what stays: a tombstone, its deals and follow-ups, its consent and do-not-contact
    detail = customer_detail(ctx, zhang.id)
    assert detail.customer.name.startswith("erased person ") and detail.customer.phone is None
    assert detail.customer.do_not_contact and detail.customer.erased_at is not None
    assert [f.notes for f in detail.follow_ups] == [""]
    assert not search(ctx, "张伟") and not search(ctx, ZHANG[1]) and not search(ctx, "zhangwei@example")
    # Li Lei and Acme were not touched
    assert [c.phone for c in customer_detail(ctx, acme.id).contacts] == [LI[1]]
    assert "was already erased" in ok("person", "erase", zhang.id[:8], "--yes", "--notes", "none").stdout
    undo = crm("undo", "--yes")  # the erasure left no action to undo, and nothing of them to bring back
    assert "Traceback" not in undo.output and isinstance(undo.exception, (SystemExit, type(None))), undo.output
    assert customer_detail(ctx, zhang.id).customer.name.startswith("erased person ")
    assert "was erased" in fails("edit", zhang.id, "--phone", "13800000000").stderr


def test_erasing_a_contact_keeps_notes_the_rep_keeps_and_finds_them_again_by_id(ctx, book, home: Path) -> None:
    _zhang, acme, _li = book
    ok("person", "erase", "Li Lei", "--notes", "none", "--yes")
    detail = customer_detail(ctx, acme.id)
    [contact] = detail.contacts
    assert contact.name.startswith("erased person ") and (contact.phone, contact.email, contact.title,
                                                          contact.birthday) == (None, None, None, None)
    kept = [f.notes for f in detail.follow_ups]
    assert f"Li Lei wants a demo, call {LI[1]}" in kept  # the rep chose to keep the notes
    assert detail.customer.name == "Acme Tools" and detail.customer.phone == "02155550000"
    with sqlite3.connect(home / "data" / "crm.db") as raw:
        outbox = " ".join(row[0] for row in raw.execute(
            "SELECT changes FROM outbox WHERE record_table = 'contact'"))
    raw.close()
    assert LI[2] not in outbox and "Li Lei" not in outbox and "CTO" not in outbox


def test_erase_at_a_terminal_asks_for_each_note(ctx, book, monkeypatch: pytest.MonkeyPatch) -> None:
    _zhang, acme, li = book
    other = add_customer(ctx, "Globex")
    _log(ctx, other.id, notes=f"Globex knows {LI[0]}")  # the newest note naming them: asked about first
    import typer.testing

    # the runner's stdin says it is a terminal, so the command asks
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True, raising=False)
    result = crm("person", "erase", "Li Lei", input="y\nn\ny\n")  # erase? keep the newest, blank the older
    assert result.exit_code == 0, result.output
    assert "1 note blanked" in result.stdout
    notes = {f.notes for f in customer_detail(ctx, other.id).follow_ups}
    assert notes == {f"Globex knows {LI[0]}"}
    assert [f.notes for f in customer_detail(ctx, acme.id).follow_ups if not f.notes] == [""]
    with pytest.raises(NotAllowed):  # an erased person's fields stay empty
        edit_contact(ctx, li.id, {"phone": "13900000000"})


def test_a_merge_keeps_a_persons_do_not_contact(ctx, book) -> None:
    from crmtui.services.merge import merge_customers

    zhang, acme, _li = book
    personal_data.edit_personal(ctx, "customer", zhang.id, {"do_not_contact": True, "consent_source": "名片"})
    merge_customers(ctx, acme.id, zhang.id)
    [made] = [c for c in customer_detail(ctx, acme.id).contacts if c.name == ZHANG[0]]
    assert (made.do_not_contact, made.do_not_contact_on, made.consent_source) == (True, NOW.date(), "名片")
    twin = add_lead(ctx, "张伟 (2)", email="zw2@example.com")
    other = add_lead(ctx, "Zhang Wei", email="zw3@example.com")
    personal_data.edit_personal(ctx, "customer", other.id, {"do_not_contact": True})
    merge_customers(ctx, twin.id, other.id)
    assert customer_detail(ctx, twin.id).customer.do_not_contact


def test_converting_a_lead_moves_its_do_not_contact_to_its_person(ctx) -> None:
    from crmtui.services.convert import convert_lead

    lead = add_lead(ctx, "王芳", company="新华书店", phone="13700137000")
    personal_data.edit_personal(ctx, "customer", lead.id, {"do_not_contact": True, "consent_source": "展会"})
    customer, contact, _deal = convert_lead(ctx, lead.id, next_at="in 3 days")
    assert (contact.do_not_contact, contact.consent_source) == (True, "展会")
    detail = customer_detail(ctx, customer.id)
    assert detail.customer.kind == "company" and not detail.customer.do_not_contact
