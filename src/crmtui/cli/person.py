"""`crm person export` and `crm person erase`: everything held about one person, and their erasure
(docs/personal-data.md).

Start-up deferral: the services are imported inside the commands; this module loads with every `crm` command and
holds only the commands' signatures.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from crmtui.cli.output import confirm, fail, out
from crmtui.cli.session import find_customer, open_session
from crmtui.core.errors import NotFound
from crmtui.core.i18n import N_, _, ngettext

PERSON_HELP = N_("A contact or a person customer: name, part of it, pinyin initials or id prefix.")

person_app = typer.Typer(help=N_("One person's data: export everything held about them, or erase them."),
                         no_args_is_help=True)


@person_app.command("export")
def export_person(
    name: Annotated[str, typer.Argument(metavar="NAME", help=PERSON_HELP)],
    output: Annotated[str, typer.Option("--output", "-o", help=N_("The JSON file to write."))],
    force: Annotated[bool, typer.Option("--force", help=N_("Replace an existing file without asking."))] = False,
) -> None:
    """Writes everything held about one person to a readable JSON file: their records, follow-ups, deals, history,
    and the other texts that name them (what `crm person erase` offers to blank)."""
    from crmtui.services.personal_data import export_person as run_export  # deferred
    from crmtui.services.personal_data import find_person, section_word  # deferred

    target = Path(output).expanduser()
    if target.exists() and not force:
        if not sys.stdin.isatty():
            fail(_("{path} exists: add --force to replace it").format(path=target))
        if not typer.confirm(_("{path} exists. Replace it?").format(path=target), default=False):
            fail(_("cancelled; nothing written"))
    with open_session() as ctx:
        person = find_person(ctx, name)
        try:
            counts = run_export(ctx, person, target)
        except OSError as exc:
            fail(_("cannot write {path}: {reason}").format(path=target, reason=exc.strerror or exc))
        out(_("wrote everything held about {name} to {path}").format(name=person.name, path=target))
        out("  " + ", ".join(f"{section_word(section)} {count}" for section, count in counts.items() if count))


NOTES_HELP = N_("Texts that may hold the person (follow-up notes, customers' notes, deal titles): all (blank them),"
                " none (keep them), or ask for each (default on a terminal).")


@person_app.command("erase")
def erase_person(
    name: Annotated[str, typer.Argument(metavar="NAME", help=PERSON_HELP)],
    notes: Annotated[Optional[str], typer.Option("--notes", help=NOTES_HELP)] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=N_("Do not ask."))] = False,
) -> None:
    """Erases one person's personal fields everywhere this book holds them, leaving an anonymous tombstone."""
    from crmtui.services.personal_data import erase_person as run_erase  # deferred
    from crmtui.services.personal_data import (  # deferred
        erasure_plan,
        find_person,
        note_time,
        person_label,
        rebuild_file,
        text_kind,
    )

    if notes is not None and notes not in ("all", "none"):
        fail(_("--notes: expected all or none (got {value})").format(value=notes))
    with open_session() as ctx:
        plan = erasure_plan(ctx, find_person(ctx, name))
        if plan.person.erased:
            if not rebuild_file(ctx):
                fail(_("{name} was already erased; the file could not be rebuilt now (is crmtui open elsewhere?)")
                     .format(name=plan.person.name))
            out(_("{name} was already erased; the file is rebuilt without the space it left").format(
                name=plan.person.name))
            return
        out(_("Erasing {name} removes their name, phone, email, WeChat, title, birthday, notes and search keys from:").format(
            name=plan.person.name))
        for record in plan.records:
            out("  " + person_label(record))
        out(_("and their change history, the copies of these values waiting to sync or already synced, and the search"
              " index. Deals, contracts and follow-ups stay, under an anonymous name."))
        if plan.notes:
            out("")
            out(ngettext("{count} text may hold them (a follow-up, a customer's notes, a deal's title):",
                         "{count} texts may hold them (follow-ups, customers' notes, deals' titles):",
                         len(plan.notes)).format(count=len(plan.notes)))
            for hit in plan.notes:
                out(f"  {note_time(ctx, hit)}  {hit.customer_name}  ·  {text_kind(hit)}: {_one_line(hit.notes)[:80]}")
        if notes is None and plan.notes and (yes or not sys.stdin.isatty()):
            fail(ngettext("{count} text may hold them: say what to do with --notes all (blank it) or --notes"
                          " none (keep it)",
                          "{count} texts may hold them: say what to do with --notes all (blank them) or --notes"
                          " none (keep them)", len(plan.notes)).format(count=len(plan.notes)))
        confirm(_("Erase {name}? This cannot be undone.").format(name=plan.person.name), yes)
        if notes == "all":
            chosen = [hit.id for hit in plan.notes]
        elif notes == "none":
            chosen = []
        else:
            chosen = [hit.id for hit in plan.notes
                      if typer.confirm(_("Blank this {what}? {at}  {text}").format(
                          what=text_kind(hit), at=note_time(ctx, hit), text=_one_line(hit.notes)[:200]), default=True)]
        labels = run_erase(ctx, plan, chosen)
        out(_("erased {name}: now {labels}").format(name=plan.person.name, labels=", ".join(labels)))
        if chosen:
            out(ngettext("{count} note blanked", "{count} notes blanked", len(chosen)).format(count=len(chosen)))
        if ctx.settings.sync.configured:
            out(_("the erasure reaches the team server and your colleagues' laptops at the next sync"))


def _one_line(text: str) -> str:
    return " / ".join(line for line in text.splitlines() if line.strip())


def edit_consent(ref: str, changes: dict[str, object]) -> None:
    """`crm edit PERSON --consent ... --do-not-contact ...`: the person a reference names (a contact or a person
    customer) gets the changes."""
    from crmtui.core import labels  # deferred
    from crmtui.services.personal_data import edit_personal, find_person  # deferred

    with open_session() as ctx:
        try:
            found = find_person(ctx, ref)
            table, record_id = found.table, found.id
        except NotFound:
            # no person by that name: a company's (refused by the service, which says to use a contact) or none
            table, record_id = "customer", find_customer(ctx, ref).id
        edited = edit_personal(ctx, table, record_id, changes)
        out(_("updated {name}: {fields}").format(name=edited.name, fields=", ".join(map(labels.field, changes))))
        if edited.do_not_contact:
            out(_("{name} is off Today; new follow-ups with them are refused until `crm edit {ref} --contact-ok`")
                .format(name=edited.name, ref=f'"{ref}"' if " " in ref else ref))


def register(app: typer.Typer) -> None:
    """Adds `crm person` to the app."""
    app.add_typer(person_app, name="person")
