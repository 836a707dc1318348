"""The `crm` command: quick entry from the shell.

Each command imports the services it calls inside its body (marked `# deferred`), and the date formatting with
them: the services cost ~50 ms (context, agenda, lookup) to ~0.8 s (those that load SQLModel), the dates ~20 ms,
the amounts' formatting ~6 ms, the help's translation ~8 ms; `crm --help`, a usage error and the other commands need none of them.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from crmtui import __version__
from crmtui.cli import exporting, history, importing, person, remind, report, team
from crmtui.cli import tickets as ticket_commands
from crmtui.cli import revisits as revisit_commands
from crmtui.cli.output import confirm, fail, lang, out, print_json
from crmtui.cli.session import find_customer, open_session
from crmtui.core import i18n, labels, paths
from crmtui.core.config import load_settings
from crmtui.core.errors import CrmError
from crmtui.core.i18n import N_, _, sentences, set_language


def _choose_language() -> None:
    """The config's language, else the locale's, chosen before any help is shown (~1 ms: tomllib and the .mo)."""
    try:
        setting = load_settings().language
    except CrmError:
        setting = "auto"  # a broken config is reported by the command itself
    set_language(setting)


CLICK_WORDS = (N_("Usage: "), N_("Arguments"), N_("Options"), N_("Commands"), N_("{heading}:"),
               N_("Show this message and exit."), N_("required"))
"""Click's own words in the help; Typer passes them through the stdlib gettext, which knows none of our catalog."""


class _Group(TyperGroup):
    """`crm`: Typer copies the help texts when the app is run, so they are translated there, after the language is chosen."""

    def main(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        _choose_language()
        if i18n.language != "en":
            _translate_help(self)
        given = kwargs.get("args", args[0] if args else None)
        _refuse_broken_text(self, list(sys.argv[1:] if given is None else given))
        return super().main(*args, **kwargs)


def _broken_text(value: str) -> str | None:
    """What makes `value` unusable as text, or None: bytes that were not UTF-8 (Python keeps them as
    U+DC80-U+DCFF) or a lone surrogate; SQLite and the terminal would fail on them half-way through a command."""
    bad = [char for char in value if "\ud800" <= char <= "\udfff"]
    if not bad:
        return None
    return _("invalid UTF-8 byte") if all("\udc80" <= char <= "\udcff" for char in bad) else _("a lone surrogate")


def _refuse_broken_text(group, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Refuses, before any command runs (so nothing is written), an argument or option that is not valid text.

    A file name may hold any bytes, so only text parameters are checked: the arguments are parsed without
    running anything to learn which parameter got the bad value, and the message names it.
    """
    if not any(_broken_text(arg) for arg in args):
        return
    named = _param_with_broken_text(group, args)
    if named is None:
        return  # only file names (or words Click will refuse itself) carry such bytes
    name, problem = named
    sys.stderr.write(_("error: ") + _("{name}: not valid text ({problem}); retype it").format(
        name=name, problem=problem) + "\n")
    sys.exit(2)


def _param_with_broken_text(group, args: list[str]) -> tuple[str, str] | None:  # type: ignore[no-untyped-def]
    """(the parameter's name as typed, what is wrong) for the first text parameter holding broken text."""
    ctx = group.make_context("crm", list(args), resilient_parsing=True)
    while True:
        for param in ctx.command.params:
            value = ctx.params.get(param.name)
            for item in value if isinstance(value, list | tuple) else [value]:
                problem = _broken_text(item) if isinstance(item, str) else None
                if problem:
                    if getattr(param, "param_type_name", "") == "option":
                        return max(param.opts, key=len), problem
                    return (param.metavar or param.name or "").lower(), problem
        rest = [*getattr(ctx, "_protected_args", []), *ctx.args]
        if not rest or not hasattr(ctx.command, "resolve_command"):
            break
        name, command, rest = ctx.command.resolve_command(ctx, rest)
        if command is None:
            break
        ctx = command.make_context(name, rest, parent=ctx, resilient_parsing=True)
    return None


def _translate_help(command) -> None:  # type: ignore[no-untyped-def]
    """The help of a command, its options and its subcommands in the chosen language (texts declared with N_)."""
    from crmtui.cli.help import TranslatedContext, short_help  # deferred

    command.context_class = TranslatedContext
    if command.help:
        command.help = _(command.help)
        command.short_help = short_help(command.help)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _(param.help)
    for sub in getattr(command, "commands", {}).values():
        _translate_help(sub)


app = typer.Typer(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    name="crm",
    help=N_("crmtui: a keyboard-only CRM for sales reps. With no command, opens the app on today's agenda (printed when piped)."),
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
add_app = typer.Typer(help=N_("Add a lead, customer, contact or deal."), no_args_is_help=True)
app.add_typer(add_app, name="add")


# ---------------------------------------------------------------- today / show / list / search


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"crmtui {__version__}\n")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help=N_("Print the version."))] = False,
) -> None:
    """With no command: opens the full-screen app on today's agenda (prints the agenda when not at a terminal)."""
    try:
        load_settings()  # every command refuses a wrong setting, even those that read none
    except CrmError as exc:
        fail(exc.message())
    if ctx.invoked_subcommand is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            open_app()
        else:
            today(json_out=False)


def open_app() -> None:
    """The Textual app (imported only here: quick-entry commands never pay for it)."""
    with open_session() as ctx:
        from concurrent.futures import ThreadPoolExecutor  # deferred: the app's only (threads, for the agenda)

        from crmtui.services.agenda import agenda_for  # deferred: the app's only

        # Today's agenda is read while Textual and the app are imported and start: the two overlap instead of
        # following one another (each about 0.3-0.7 s on the bench book, loaded test machine, 2026-12).
        with ThreadPoolExecutor(1, thread_name_prefix="first-agenda") as reader:
            first = reader.submit(agenda_for, ctx)
            from crmtui.tui.app import build_app  # deferred: Textual and the app, ~0.35 s, for the app only

            build_app(ctx, theme=ctx.settings.theme or None, first_agenda=first).run()


_REP_HELP = N_("A rep's customers (a manager's laptop holds every rep's), or all.")


@app.command()
def today(
    json_out: Annotated[bool, typer.Option("--json", help=N_("Machine-readable output only."))] = False,
    rep: Annotated[Optional[str], typer.Option("--rep", help=_REP_HELP)] = None,
) -> None:
    """What to do today: overdue, due, revisits, stalled deals, new leads, service requests, customers due for a
    touch, service dates, renewals, payments, birthdays, holidays (a manager's: the team's late work too)."""
    from crmtui.core.formatting import format_amount  # deferred
    from crmtui.services.agenda import ALL_REPS, COMING, COMING_DAYS, SHOWN, agenda_for, resolve_rep  # deferred
    from crmtui.services.agenda_words import load_text, reason, section_title  # deferred

    with open_session() as ctx:
        agenda = agenda_for(ctx, rep=resolve_rep(ctx, rep) if rep is not None else None)
        if json_out:
            print_json({"day": agenda.day.isoformat(), "rep": agenda.rep, "totals": agenda.totals,
                         "sections": {name: [i.as_dict(reason(ctx, i)) for i in agenda.sections[name]] for name in SHOWN},
                         "team": [load.as_dict() for load in agenda.team]})
            return
        whose = "" if agenda.rep is None else "  ·  " + (_("every rep") if agenda.rep == ALL_REPS else agenda.rep)
        out(_("Today, {day}").format(day=agenda.day.isoformat()) + whose)
        if agenda.team:
            out("")
            out(_("Team") + f" ({len(agenda.team)})")
            for load in agenda.team:
                out(f"  {load.rep}  ·  {load_text(load)}")

        def section(name: str) -> None:
            items = agenda.sections[name]
            if not items:
                return
            out("")
            out(f"{section_title(name)} ({agenda.totals[name]})")
            for item in items:
                extra = []
                if item.next_plan:
                    extra.append("→ " + item.next_plan)
                if item.amount_cents:
                    extra.append(format_amount(item.amount_cents))
                out(f"  {item.customer_name}  ·  {reason(ctx, item)}" + ("  ·  " + "  ·  ".join(extra) if extra else ""))
            if agenda.totals[name] > len(items):
                out("  " + _("… and {count} more").format(count=agenda.totals[name] - len(items)))

        section("escalated")  # a manager's: the team's late work, before the manager's own
        if not agenda.own_items() and agenda.book_empty:
            out(_("Nothing due. Add a lead with `crm add lead NAME`, or load sample data with `crm demo`."))
        elif not agenda.own_items() and agenda.team:
            out("")
            out(_("Nothing of your own due today."))
        elif not agenda.own_items():
            out(_("Nothing due today."))
        for name in SHOWN:
            if name != "escalated":
                section(name)
        if not agenda.own_items() and not agenda.book_empty and not agenda.sections[COMING]:
            out(_("Nothing planned in the next {days} days either.").format(days=COMING_DAYS))


@app.command()
def show(
    customer: Annotated[str, typer.Argument(help=N_("Name, part of it, pinyin initials or id prefix."))],
    json_out: Annotated[bool, typer.Option("--json", help=N_("Machine-readable output only."))] = False,
) -> None:
    """Everything about one customer: contacts, deals, contracts, follow-ups, revisits, open tickets."""
    from crmtui.services.customer_view import (  # deferred
        CareLine, ContactLine, ContractLine, DealLine, FollowUpLine, customer_360, satisfaction_trend)
    from crmtui.services.customers import customer_detail  # deferred
    from crmtui.services.deals import voided_contracts  # deferred
    from crmtui.services.revisits import Revisit, revisit_timeline  # deferred
    from crmtui.services.tickets import ACTIVE, TicketView, list_tickets  # deferred
    from crmtui.services.views import detail_dict, voided_contract_dict  # deferred

    with open_session() as ctx:
        target = find_customer(ctx, customer)
        detail = customer_detail(ctx, target.id)
        voided = voided_contracts(ctx, detail.customer.id)
        timeline = revisit_timeline(ctx, detail.customer.id)
        revisits = timeline.revisits
        tickets = list_tickets(ctx, ACTIVE, detail.customer.id)
        if json_out:
            from crmtui.services.tickets import ticket_dict  # deferred

            data = detail_dict(ctx, detail)
            view = customer_360(ctx, detail, voided)
            data.update(view.care.as_dict())  # the service cycle and warranty, with the next visit and days left
            cares = {contract.id: contract.care for contract in view.contracts}
            contracts = data["contracts"]
            assert isinstance(contracts, list)
            for contract_data in contracts:
                contract_data.update(cares[contract_data["id"]].as_dict())
            data["voided_contracts"] = [voided_contract_dict(ctx, v) for v in voided]
            data["revisits"] = [{"id": r.id, "due_on": r.due_on.isoformat(), "channel": r.channel,
                                 "purpose": r.purpose, "deal_id": r.deal_id, "done": r.done,
                                 "done_at": r.done_at.isoformat() if r.done_at else None,
                                 "satisfaction": r.satisfaction, "nps": r.nps} for r in revisits]
            data["tickets"] = [ticket_dict(t) for t in tickets]
            data["satisfaction_scores"] = [{"at": score.at.isoformat(), "satisfaction": score.satisfaction,
                                            "nps": score.nps, "ticket": score.ticket} for score in timeline.scores]
            print_json(data)
            return
        view = customer_360(ctx, detail, voided)
        today, zone, local = ctx.clock.today(), ctx.clock.zone, ctx.clock.to_local

    def revisit_text(r: Revisit) -> str:
        from crmtui.core.dates import format_when  # deferred

        done_on = local(r.done_at) if r.done_at else None
        state = (_("done {day}").format(day=format_when(done_on.date(), False, lang(), today)) if done_on
                 else _("overdue") if not r.done and r.due_on < today else "")
        score = _("satisfaction {score}/5").format(score=r.satisfaction) if r.satisfaction is not None else ""
        recommend = _("would recommend {nps}/10").format(nps=r.nps) if r.nps is not None and score else ""
        return joined("✓" if r.done else "○", format_when(r.due_on, False, lang(), today),
                      labels.channel(r.channel or "phone"), r.purpose, state, score, recommend)

    def ticket_text(t: TicketView) -> str:
        from crmtui.services.tickets import deadline_text, mark, priority_text, status_text  # deferred

        # the list's mark too: "Not answered in time", "Overdue ticket", "Due soon"
        return joined(t.number, status_text(t.status), priority_text(t.priority), t.title,
                      _("due {day}").format(day=deadline_text(t, zone, lang())), mark(t)[0])

    def joined(*parts: object) -> str:
        return "  ".join(str(part) for part in parts if part)

    def contact_text(c: ContactLine) -> str:
        return joined(c.name, c.title, c.phone, c.email, "★" + _("decision maker") if c.decision_maker else "",
                      f"{_('birthday')} {c.birthday}" if c.birthday else "",
                      f"⛔ {c.do_not_contact}" if c.do_not_contact else "", c.consent)

    def deal_text(d: DealLine) -> str:
        return joined(d.title, f"{d.stage} ({labels.days(d.days_in_stage)})", d.amount,
                      f"{_('lost')}: {d.lost_reason}" if d.lost_reason else "", "(" + _("imported") + ")" if d.imported else "")

    def care_text(care: CareLine, indent: str) -> str:
        """The service cycle (with its next visit) and the warranty, a line each, "" for what is not set."""
        cycle = care.cycle + (" · " + _("next {day}").format(day=care.next_service) if care.next_service else "")
        return (f"\n{indent}{_('service')}: {cycle}" if care.cycle else "") + (
            f"\n{indent}{_('warranty')}: {care.warranty}" if care.warranty else "")

    def contract_text(c: ContractLine) -> str:
        return joined(c.number, c.amount, c.signed + (f" → {c.end}" if c.end else "")) + care_text(c.care, "      ") + "".join(
            f"\n      {p.amount}  {_('due')} {p.due}  " + (f"{_('paid')} {p.paid}" if p.paid else _("unpaid"))
            for p in c.instalments)

    def follow_up_text(f: FollowUpLine) -> str:
        met = _("met") if f.goal_met else _("not met")
        goal = f"{f.goal} ({met})" if f.goal or not f.imported else ""  # imported history may not know its goal
        return (f"{f.when}  {f.channel}" + (f"  {goal}" if goal else "")
                + ("  " + _("by {rep}").format(rep=f.author) if f.author else "")
                + (f"  {f.about}" if f.about else "") + ("  (" + _("corrected") + ")" if f.corrected else "")
                + ("  (" + _("imported") + ")" if f.imported else "")
                + "\n      " + f.notes.replace("\n", "\n      ") + (f"\n      → {joined(f.next_plan, f.next_when)}" if f.next_plan or f.next_when else ""))

    tier_word, score_word = _("tier"), _("score")
    out(f"{view.name}  [{view.status}]  {tier_word} {view.tier}  {score_word} {view.score}  {view.id[:8]}")
    if target.via_contact:
        # Found by a contact's name: say so, or "crm show 张三" would seem to show someone else.
        out("  (" + _("via contact {name}").format(name=target.via_contact) + ")")
    if view.do_not_contact:
        out(f"  ⛔ {view.do_not_contact}")
    if view.consent:
        out(f"  {view.consent}")
    for label, value in ((_("company"), view.company), (_("phone"), view.phone), (_("email"), view.email),
                         (_("wechat"), view.wechat), (_("source"), view.source), (_("interest"), view.interest),
                         (_("industry"), view.industry), (_("region"), view.region), (_("owner"), view.owner),
                         (_("next follow-up"), view.next_follow_up), (_("last contact"), view.last_contact),
                         (_("tags"), ", ".join(view.tags))):
        if value:
            out(f"  {label}: {value}")
    if view.care:
        out(care_text(view.care, "  ").lstrip("\n"))
    if view.notes:
        out(f"  {_('notes')}: " + view.notes.replace("\n", "\n    "))
    sections: tuple[tuple[str, tuple[object, ...], Callable[[Any], str]], ...] = (
        (_("Contacts"), view.contacts, contact_text), (_("Deals"), view.deals, deal_text),
        (_("Contracts"), view.contracts, contract_text), (_("Follow-ups"), view.follow_ups, follow_up_text),
        (_("Revisits"), tuple(revisits), revisit_text), (_("Open tickets"), tuple(tickets), ticket_text),
    )
    for title, rows, text in sections:
        if rows:
            out("")
            out(f"{title} ({len(rows)})")
            for row in rows:
                out("  " + text(row).rstrip())
        if text is revisit_text and timeline.scores:  # the scores, a ticket's too, under the revisits
            if not rows:
                out("")
            out(f"  {_('Satisfaction trend')}: {satisfaction_trend(timeline.scores)}")
    if view.voided:
        out("")
        out(f"{_('Voided contracts')} ({len(view.voided)})")
        for contract in view.voided:
            out(f"  {contract.when}  {contract.text}")

@app.command("list")
def list_(
    what: Annotated[str, typer.Argument(help=N_("customers, leads or deals."))],
    json_out: Annotated[bool, typer.Option("--json", help=N_("Machine-readable output only."))] = False,
    rep: Annotated[Optional[str], typer.Option("--rep", help=_REP_HELP)] = None,
) -> None:
    """Lists customers (all but leads), leads, or open and closed deals."""
    if what not in ("customers", "leads", "deals"):
        fail(_("list: expected customers, leads or deals (got {what})").format(what=what))
    with open_session() as ctx:
        from crmtui.core.formatting import amount_text  # deferred
        from crmtui.services.agenda import owned_by, resolve_rep  # deferred
        from crmtui.services.views import customer_dict, deal_dict  # deferred

        whose = resolve_rep(ctx, rep) if rep is not None else None
        if what == "deals":
            from crmtui.services.deals import list_deals  # deferred

            rows = [deal_dict(ctx, d, c) for d, c in list_deals(ctx) if owned_by(whose, c.owner)]
            if json_out:
                print_json(rows)
                return
            for r in rows:
                parts = [str(r["customer"]), str(r["title"]), f"{r['stage_name']} {labels.days(r['days_in_stage'])}",  # type: ignore[arg-type]
                         amount_text(r["amount"]) if r["amount"] is not None else ""]  # type: ignore[arg-type]
                out(f"{str(r['id'])[:8]}  " + "  ·  ".join(p for p in parts if p))
        else:
            from crmtui.services.customers import list_customers  # deferred
            from crmtui.services.lookup import owner_note  # deferred

            statuses = ("lead",) if what == "leads" else ("prospect", "customer", "dormant", "pool")
            rows = [customer_dict(ctx, c) for c in list_customers(ctx, statuses) if owned_by(whose, c.owner)]
            if json_out:
                print_json(rows)
                return
            for r in rows:
                parts = [labels.status(str(r["status"])), str(r["tier"]), str(r["phone"] or "")]
                out(f"{str(r['id'])[:8]}  {r['name']}  ·  " + "  ·  ".join(p for p in parts if p)
                     + owner_note(ctx, r["owner"], "  ·  "))  # type: ignore[arg-type]
        if not rows:
            out(_("(none)"))


@app.command()
def search(
    text: Annotated[str, typer.Argument(help=N_("Words, phone, email, WeChat id, pinyin (zs finds 张三)."))],
    json_out: Annotated[bool, typer.Option("--json", help=N_("Machine-readable output only."))] = False,
) -> None:
    """Searches names, companies, phones, emails, WeChat ids, pinyin, regions, contact titles, deals and
    competitors, contract numbers, tags and follow-up notes."""
    from crmtui.services.search import search as run_search  # deferred

    with open_session() as ctx:
        hits = run_search(ctx, text)
        if json_out:
            print_json([h.as_dict() for h in hits])
            return
        if not hits:
            out(_("no match for \"{text}\"").format(text=text))
        for hit in hits:
            out(f"{hit.customer_id[:8]}  {hit.customer_name}  ·  {hit.label()}" + (f"  ·  {hit.detail[:80]}" if hit.detail else ""))


# ---------------------------------------------------------------- add


Opt = typer.Option

# The options of `crm add lead` and `crm add customer`, each declared once: the two commands take the same flags,
# with the same help, parsed the same way.
Company = Annotated[Optional[str], Opt(help=N_("Their company."))]
Phone = Annotated[Optional[str], Opt()]
Email = Annotated[Optional[str], Opt()]
WeChat = Annotated[Optional[str], Opt(help=N_("WeChat id."))]
Source = Annotated[Optional[str], Opt(help=N_("Where the lead came from (referral, inbound, 展会...)."))]
Tags = Annotated[Optional[list[str]], Opt(help=N_("A tag; repeat for several."))]
Interest = Annotated[Optional[str], Opt(help=N_("The product they asked about."))]
Region = Annotated[Optional[str], Opt()]
Industry = Annotated[Optional[str], Opt()]
Force = Annotated[bool, Opt("--force", help=N_("Add even when a duplicate exists."))]


# `crm add lead` (a person, status lead) and `crm add customer` (a company, status prospect): one command under two
# names, so the two take the same options; its name says what is added. The help is given here, not as a docstring,
# for it differs by name (Typer registers the lower decorator first: lead is listed first).
@add_app.command("customer", help=N_("A new customer 客户 (status prospect)."))
@add_app.command("lead", help=N_("A new lead 线索: the agenda asks you to call it within the speed-to-lead window."))
def add_customer_cmd(
    command: typer.Context,
    name: Annotated[str, typer.Argument(help=N_("Company or person name."))],
    company: Company = None, phone: Phone = None, email: Email = None, wechat: WeChat = None, source: Source = None,
    tag: Tags = None, interest: Interest = None, region: Region = None, industry: Industry = None, force: Force = False,
) -> None:
    from crmtui.services.customers import add_customer  # deferred

    lead = command.info_name == "lead"
    with open_session() as ctx:
        customer = add_customer(
            ctx, name, status="lead" if lead else "prospect", kind="person" if lead else "company", company=company,
            phone=phone, email=email, wechat=wechat, source=source, tags=tag or [], interest=interest, region=region,
            industry=industry, force=force,
        )
        what = _("lead") if lead else _("customer")
        out(_("added {what} {name} ({id}), score {score}").format(what=what, name=customer.name, id=customer.id[:8], score=customer.score))


@add_app.command("contact")
def add_contact_cmd(
    customer: Annotated[str, typer.Argument(help=N_("The customer (name, pinyin initials or id prefix)."))],
    name: Annotated[str, typer.Argument(help=N_("The person's name."))],
    title: Annotated[Optional[str], Opt(help=N_("Job title 职位."))] = None,
    phone: Phone = None,
    email: Email = None,
    wechat: Annotated[Optional[str], Opt()] = None,
    decision_maker: Annotated[bool, Opt("--decision-maker", help=N_("This person decides 决策人."))] = False,
    birthday: Annotated[Optional[str], Opt(help=N_("e.g. 1985-03-12 or 3月12日."))] = None,
    force: Force = False,
) -> None:
    """A person at a customer 联系人."""
    from crmtui.services.customers import add_contact  # deferred

    with open_session() as ctx:
        target = find_customer(ctx, customer)
        contact = add_contact(ctx, target.id, name, title=title, phone=phone, email=email, wechat=wechat,
                              decision_maker=decision_maker, birthday=birthday, force=force)
        out(_("added contact {name} at {customer} ({id})").format(name=contact.name, customer=target.name, id=contact.id[:8]))


@add_app.command("deal")
def add_deal_cmd(
    customer: Annotated[str, typer.Argument(help=N_("The customer (name, pinyin initials or id prefix)."))],
    title: Annotated[str, typer.Argument(help=N_("What is being sold."))],
    amount: Annotated[Optional[str], Opt(help=N_("e.g. 120000, 12万, 50k."))] = None,
    close: Annotated[Optional[str], Opt(help=N_("Expected close date, e.g. 2026-12-31 or 月底."))] = None,
    stage: Annotated[Optional[str], Opt(help=N_("Starting stage (default: the first)."))] = None,
    competitor: Annotated[Optional[str], Opt()] = None,
) -> None:
    """A new deal 商机."""
    from crmtui.services.deals import add_deal  # deferred

    with open_session() as ctx:
        target = find_customer(ctx, customer)
        deal = add_deal(ctx, target.id, title, amount=amount, close=close, stage=stage, competitor=competitor)
        out(_("added deal {title} for {customer} in {stage} ({id})").format(
            title=deal.title, customer=target.name, stage=labels.stage(ctx.settings, deal.stage), id=deal.id[:8]))


# ---------------------------------------------------------------- log / stage / convert


@app.command()
def log(
    customer: Annotated[str, typer.Argument(help=N_("The customer (name, pinyin initials or id prefix)."))],
    via: Annotated[Optional[str], Opt("--via", help=N_("phone, wechat, visit, email, meeting, sms, other (or 1-7)."))] = None,
    goal: Annotated[Optional[str], Opt(help=N_("The goal of this contact 本次目标."))] = None,
    met: Annotated[Optional[bool], Opt("--met/--not-met", help=N_("Was the goal met?"))] = None,
    notes: Annotated[Optional[str], Opt(help=N_("What happened."))] = None,
    next_plan: Annotated[Optional[str], Opt("--next-plan", help=N_("What you will do next 下次计划."))] = None,
    next_: Annotated[Optional[str], Opt("--next", help=N_('When, e.g. "fri 3pm", "明天下午3点", "2026-12-01".'))] = None,
    contact: Annotated[Optional[str], Opt("--contact", help=N_("Whom you spoke to: one of the customer's contacts (name, pinyin or id prefix)."))] = None,
    deal: Annotated[Optional[str], Opt("--deal", help=N_("Which of the customer's deals it was about (title or id prefix)."))] = None,
    satisfaction: Annotated[Optional[str], Opt("--satisfaction", help=N_("How satisfied the customer is, 1-5: completes the revisit due (回访)."))] = None,
    nps: Annotated[Optional[str], Opt("--nps", help=N_("Would they recommend us, 0-10 (with --satisfaction)."))] = None,
    revisit: Annotated[Optional[str], Opt("--revisit", help=N_("Which open revisit it completes: its due day (2026-11-27) or words of its purpose (default: the one due by today)."))] = None,
) -> None:
    """Logs a follow-up 跟进记录; every field is required while the customer is open."""
    from crmtui.services.follow_ups import record_follow_up, resolve_reference  # deferred

    with open_session() as ctx:
        target = find_customer(ctx, customer)
        contact_id = resolve_reference(ctx, target.id, "contact", contact) if contact is not None else None
        deal_id = resolve_reference(ctx, target.id, "deal", deal) if deal is not None else None
        logged = record_follow_up(ctx, target.id, channel=via, goal=goal, goal_met=met, notes=notes,
                                  next_plan=next_plan, next_at=next_, contact_id=contact_id, deal_id=deal_id,
                                  satisfaction=satisfaction, nps=nps, revisit=revisit)
        follow_up = logged.row
        _say_logged(ctx, (_("logged for {name}; next: {plan} → {when}"), _("logged for {name}")), target.name,
                    follow_up.next_plan, follow_up.next_at)
        if logged.revisit is not None:
            from crmtui.services.revisits import revisit_label  # deferred: only a revisit's follow-up words it

            out("  " + _("revisit done: {revisit} (satisfaction {score}/5)").format(
                revisit=revisit_label(logged.revisit, ctx.clock.today()), score=follow_up.satisfaction))
        elif follow_up.satisfaction is not None:
            out("  " + _("no revisit due: satisfaction {score}/5 kept with the follow-up").format(
                score=follow_up.satisfaction))
        if logged.call_back is not None:
            from crmtui.core.dates import format_when  # deferred: a day is worded only after a low score

            day = format_when(logged.call_back.due_on, False, lang(), ctx.clock.today())
            out("  " + (_("a low score: call back planned on {day}") if logged.call_back.new
                        else _("a low score: a call back is already planned on {day}")).format(day=day))


def _say_logged(ctx: Any, said: tuple[str, str], name: str, plan: str | None, next_at: Any) -> None:
    """What `crm log` and `crm amend` print (`said`: with the next plan and its date, and without): done for the
    customer, and the next plan with its date when there is one."""
    when = ctx.clock.to_local(next_at)
    if when:
        from crmtui.core.dates import format_when  # deferred

        out(said[0].format(name=name, plan=plan or "", when=format_when(when, lang=lang(), today=ctx.clock.today())))
    else:
        out(said[1].format(name=name))


@app.command()
def amend(
    customer: Annotated[str, typer.Argument(help=N_("The customer (name, pinyin initials or id prefix)."))],
    via: Annotated[Optional[str], Opt("--via", help=N_("phone, wechat, visit, email, meeting, sms, other (or 1-7)."))] = None,
    goal: Annotated[Optional[str], Opt(help=N_("The goal of this contact 本次目标."))] = None,
    met: Annotated[Optional[bool], Opt("--met/--not-met", help=N_("Was the goal met?"))] = None,
    notes: Annotated[Optional[str], Opt(help=N_("What happened."))] = None,
    next_plan: Annotated[Optional[str], Opt("--next-plan", help=N_("What you will do next 下次计划."))] = None,
    next_: Annotated[Optional[str], Opt("--next", help=N_('When, e.g. "fri 3pm", "明天下午3点", "2026-12-01".'))] = None,
    contact: Annotated[Optional[str], Opt("--contact", help=N_("Whom you spoke to: one of the customer's contacts (name, pinyin or id prefix)."))] = None,
    deal: Annotated[Optional[str], Opt("--deal", help=N_("Which of the customer's deals it was about (title or id prefix)."))] = None,
) -> None:
    """Corrects the customer's last follow-up, within 24 hours of logging it; only the options given change."""
    from crmtui.services.follow_ups import amend_follow_up, resolve_reference  # deferred

    with open_session() as ctx:
        target = find_customer(ctx, customer)
        given = {"channel": via, "goal": goal, "goal_met": met, "notes": notes, "next_plan": next_plan, "next_at": next_}
        changes: dict[str, object] = {name: value for name, value in given.items() if value is not None}
        # an empty --contact "" / --deal "" names nobody / no deal any more
        if contact is not None:
            changes["contact_id"] = resolve_reference(ctx, target.id, "contact", contact) if contact.strip() else None
        if deal is not None:
            changes["deal_id"] = resolve_reference(ctx, target.id, "deal", deal) if deal.strip() else None
        if not changes:
            fail(_("give what to correct: --via, --goal, --met/--not-met, --notes, --next-plan, --next, --contact or --deal"))
        follow_up = amend_follow_up(ctx, target.id, **changes)
        _say_logged(ctx, (_("corrected the last follow-up of {name}; next: {plan} → {when}"),
                          _("corrected the last follow-up of {name}")), target.name, follow_up.next_plan, follow_up.next_at)


@app.command()
def stage(
    deal: Annotated[str, typer.Argument(help=N_("The deal (title, customer name, pinyin or id prefix)."))],
    stage_name: Annotated[str, typer.Argument(metavar="STAGE", help=N_("initial, needs, proposal, quote, negotiation, won, lost."))],
    amount: Annotated[Optional[str], Opt(help=N_("Quoted amount (Quote) or contract amount (Won)."))] = None,
    contract_no: Annotated[Optional[str], Opt("--contract-no", help=N_("Contract number (Won)."))] = None,
    signed: Annotated[Optional[str], Opt(help=N_("Signed date (Won)."))] = None,
    end: Annotated[Optional[str], Opt(help=N_("Contract end date (Won; default a year after signing)."))] = None,
    payment: Annotated[Optional[list[str]], Opt(help=N_('An instalment AMOUNT@DATE (Won); repeat for several, or "60000@2026-12-31, 60000@2027-03-31".'))] = None,
    reason: Annotated[Optional[str], Opt(help=N_("Why it was lost (Lost)."))] = None,
    quoted: Annotated[Optional[str], Opt(help=N_("The quoted amount, when the move skips Quote (default: the deal's amount)."))] = None,
    yes: Annotated[bool, Opt("--yes", "-y", help=N_("Do not ask: add the final instalment of a short schedule, reopen a won deal."))] = False,
    revisit: Annotated[Optional[list[str]], Opt("--revisit", help=N_('A revisit DAYS [CHANNEL] PURPOSE after signing (Won), e.g. "30 visit 检查安装"; repeat for several: they replace the proposed plan.'))] = None,
    no_revisits: Annotated[bool, Opt("--no-revisits", help=N_("Plan no revisits (Won; default: the proposed plan)."))] = False,
) -> None:
    """Moves a deal to another stage; Quote, Won and Lost have gates, and so do the stages a move skips. Won plans
    the revisits (回访) proposed for the deal, or those given with --revisit."""
    from crmtui.core.dates import format_when  # deferred
    from crmtui.core.formatting import format_amount  # deferred
    from crmtui.services.deals import NeedsConfirmation, move_stage, parse_schedule, payments_of_deal  # deferred
    from crmtui.services.lookup import resolve_deal  # deferred

    with open_session() as ctx:
        target = resolve_deal(ctx, deal)
        plans = [plan for text in payment or [] for plan in parse_schedule(text)]
        lines = _revisit_lines(ctx, target.id, stage_name, revisit, no_revisits)
        confirmed: dict[str, bool] = {}
        while True:
            try:
                moved = move_stage(ctx, target.id, stage_name, amount=amount, contract_no=contract_no, signed=signed,
                                   end=end, payments=plans, reason=reason, quoted=quoted, revisits=lines, **confirmed)
                break
            except NeedsConfirmation as question:
                if confirmed.get(question.kind):
                    raise
                confirm(question.message(), yes)
                confirmed[question.kind] = True
        out(_("{title} ({customer}) is now in {stage}").format(
            title=moved.title, customer=target.customer_name, stage=labels.stage(ctx.settings, moved.stage)))
        if moved.stage == "won":
            for instalment in payments_of_deal(ctx, moved.id):
                due = format_when(instalment.due_on, False, lang(), ctx.clock.today())
                out("  " + _("instalment {amount} due {due}").format(amount=format_amount(instalment.amount_cents),
                                                                   due=due))
            _say_revisits(ctx, moved.id, lines)


def _revisit_lines(ctx: Any, deal_id: str, stage_name: str, given: list[str] | None, none: bool) -> Any:
    """The revisits a move to Won plans: none with --no-revisits, those of --revisit, else the proposed plan."""
    from crmtui.services.revisits import deal_template, parse_plan  # deferred

    if given and none:
        fail(_("give --revisit or --no-revisits, not both"))
    if given:
        return parse_plan(given)  # a move that is not to Won refuses them, naming --revisit
    if none or ctx.settings.stage(stage_name).key != "won":
        return None
    return deal_template(ctx, deal_id)


def _say_revisits(ctx: Any, deal_id: str, lines: Any) -> None:
    """The revisits the won deal got, one a line (a weekend day's move said), or that it got none."""
    from crmtui.services.revisits import deal_plan, describe  # deferred

    planned = deal_plan(ctx, deal_id, lines or [])
    if not planned:
        out("  " + _("no revisits planned"))
    for revisit in planned:
        out("  " + _("revisit {revisit}").format(revisit=describe(revisit, ctx.clock.today())))


@app.command()
def paid(
    customer: Annotated[str, typer.Argument(help=N_("The customer (name, pinyin initials or id prefix)."))],
    contract: Annotated[Optional[str], Opt("--contract", help=N_("The contract number (default: any of the customer's)."))] = None,
    on: Annotated[Optional[str], Opt("--on", help=N_("When it was paid (default today)."))] = None,
) -> None:
    """Marks the customer's earliest unpaid instalment as paid (回款)."""
    from crmtui.core.formatting import format_amount  # deferred
    from crmtui.services.deals import mark_paid  # deferred

    with open_session() as ctx:
        target = find_customer(ctx, customer)
        payment = mark_paid(ctx, target.id, contract_no=contract, paid_on=on)
        out(_("{customer}: {amount} due {due} marked paid on {paid}").format(
            customer=target.name, amount=format_amount(payment.amount_cents), due=payment.due_on, paid=payment.paid_on))


@app.command()
def convert(
    lead: Annotated[str, typer.Argument(help=N_("The lead (name, pinyin initials or id prefix)."))],
    title: Annotated[Optional[str], Opt(help=N_("Title of the new deal (default: the lead's interest)."))] = None,
    amount: Annotated[Optional[str], Opt(help=N_("Amount of the new deal."))] = None,
    next_: Annotated[Optional[str], Opt("--next", help=N_(
        'The first follow-up, e.g. "tomorrow 10:00", "明天上午10点" (without it, it stays on Today as a new lead).'))] = None,
    into: Annotated[Optional[str], Opt("--into", metavar="CUSTOMER", help=N_(
        "The existing customer the lead joins (default: the customer its company names, if any)."))] = None,
    new_company: Annotated[bool, Opt("--new-company", help=N_(
        "Make a new customer even when one with the lead's company name exists."))] = False,
) -> None:
    """Turns a lead into a customer, a contact and a deal; a lead whose company is a customer joins it."""
    from crmtui.core.formatting import parse_amount  # deferred
    from crmtui.services.convert import convert_lead  # deferred

    with open_session() as ctx:
        target = find_customer(ctx, lead, statuses=("lead",))
        into_id = find_customer(ctx, into).id if into else None
        customer, contact, new_deal = convert_lead(ctx, target.id, deal_title=title, amount_cents=parse_amount(amount),
                                                   next_at=next_, into_id=into_id, new_company=new_company)
        if customer.id != target.id:
            out(_("converted into the existing customer {customer} ({id}): contact {contact}, deal {deal}").format(
                customer=customer.name, id=customer.id[:8], contact=contact.name, deal=new_deal.title))
        else:
            out(_("converted: customer {customer}, contact {contact}, deal {deal}").format(
                customer=customer.name, contact=contact.name, deal=new_deal.title))
        when = ctx.clock.to_local(customer.next_follow_up_at)
        if when:
            from crmtui.core.dates import format_when  # deferred

            out(_("next follow-up: {when}").format(when=format_when(when, lang=lang(), today=ctx.clock.today())))
        else:
            out(_("no follow-up planned: it stays among the new leads to call on Today"))


# ---------------------------------------------------------------- edit / rm / merge

CUSTOMER_OPTIONS = ("name", "company", "phone", "email", "wechat", "source", "interest", "industry", "region",
                    "owner", "tier", "status", "notes", "service_months", "service_from", "warranty_until")
DEAL_OPTIONS = ("title", "amount", "close", "competitor", "probability")
PERSONAL_OPTIONS = {"consent_source": "consent", "consent_on": "consent_date", "do_not_contact": "do_not_contact",
                    "do_not_contact_reason": "dnc_reason"}
"""A person's consent and do-not-contact (cli/person.py): field key -> the option's parameter."""


@app.command()
def edit(
    ref: Annotated[str, typer.Argument(metavar="CUSTOMER|DEAL", help=N_("What to edit."))],
    name: Annotated[Optional[str], Opt()] = None,
    company: Annotated[Optional[str], Opt()] = None,
    phone: Annotated[Optional[str], Opt()] = None,
    email: Annotated[Optional[str], Opt()] = None,
    wechat: Annotated[Optional[str], Opt()] = None,
    source: Annotated[Optional[str], Opt()] = None,
    interest: Annotated[Optional[str], Opt()] = None,
    industry: Annotated[Optional[str], Opt()] = None,
    region: Annotated[Optional[str], Opt()] = None,
    owner: Annotated[Optional[str], Opt(help=N_("Who holds it; in a team only the server sets it (claim, release,"
                                                " a manager's reassignment)."))] = None,
    tier: Annotated[Optional[str], Opt(help=N_("A, B or C."))] = None,
    status: Annotated[Optional[str], Opt(help=N_("lead, prospect, customer, dormant."))] = None,
    notes: Annotated[Optional[str], Opt(help=N_("Notes about the customer (\"\" clears them)."))] = None,
    tag: Annotated[Optional[list[str]], Opt(help=N_("Replaces the tags; repeat for several."))] = None,
    service_months: Annotated[Optional[str], Opt("--service-months", help=N_(
        "A service visit every N months (1-120), reminded on Today a week before (\"\" clears it); a contract's:"
        " `crm contract edit`."))] = None,
    service_from: Annotated[Optional[str], Opt("--service-from", help=N_(
        "The day the service cycle counts from (default: the first contract's signing day)."))] = None,
    warranty_until: Annotated[Optional[str], Opt("--warranty-until", help=N_(
        "The day the warranty ends, reminded on Today 30 days before (\"\" clears it)."))] = None,
    title: Annotated[Optional[str], Opt(help=N_("Deal title."))] = None,
    amount: Annotated[Optional[str], Opt(help=N_("Deal amount."))] = None,
    close: Annotated[Optional[str], Opt(help=N_("Deal expected close date."))] = None,
    competitor: Annotated[Optional[str], Opt(help=N_("Deal competitor."))] = None,
    probability: Annotated[Optional[str], Opt(help=N_("Deal win probability, 0-100 (a stage move sets the stage's)."))] = None,
    force: Annotated[bool, Opt("--force", help=N_("Save even when the new values duplicate another customer."))] = False,
    consent: Annotated[Optional[str], Opt("--consent", help=N_(
        "Where a person's consent came from (business card, web form, phone call); CUSTOMER|DEAL is then a contact"
        " or a person customer."))] = None,
    consent_date: Annotated[Optional[str], Opt("--consent-date", help=N_("The day the person gave consent."))] = None,
    do_not_contact: Annotated[Optional[bool], Opt("--do-not-contact/--contact-ok", help=N_(
        "The person asked not to be contacted (off Today, no new follow-ups), or lift it."), show_default=False)] = None,
    dnc_reason: Annotated[Optional[str], Opt("--dnc-reason", help=N_("Why they asked not to be contacted."))] = None,
) -> None:
    """Changes fields of a customer (--name, --phone, ...) or of a deal (--title, --amount, --close, --competitor, --probability)."""
    values = locals()
    customer_changes = {k: values[k] for k in CUSTOMER_OPTIONS if values[k] is not None}
    if tag is not None:
        customer_changes["tags"] = tag
    deal_changes = {k: values[k] for k in DEAL_OPTIONS if values[k] is not None}
    personal_changes = {key: values[option] for key, option in PERSONAL_OPTIONS.items() if values[option] is not None}
    if personal_changes:
        if customer_changes or deal_changes:
            fail(_("edit: consent and do-not-contact ({a}) are changed in a command of their own").format(
                a=", ".join("--contact-ok" if value is False else "--" + PERSONAL_OPTIONS[key].replace("_", "-")
                            for key, value in personal_changes.items())))
        person.edit_consent(ref, personal_changes)
        return
    if not customer_changes and not deal_changes:
        fail(_("edit: give at least one field to change, e.g. --phone 13800138000 or --amount 5万"))
    if customer_changes and deal_changes:
        fail(_("edit: customer fields ({a}) and deal fields ({b}) cannot be changed in one command").format(
            a=", ".join(customer_changes), b=", ".join(deal_changes)))
    with open_session() as ctx:
        if deal_changes:
            from crmtui.services.deals import edit_deal  # deferred
            from crmtui.services.lookup import resolve_deal  # deferred

            target = resolve_deal(ctx, ref)
            edited = edit_deal(ctx, target.id, deal_changes)
            out(_("updated deal {title}: {fields}").format(title=edited.title,
                                                          fields=", ".join(map(labels.field, deal_changes))))
        else:
            from crmtui.services.customers import edit_customer  # deferred

            target = find_customer(ctx, ref)
            edited = edit_customer(ctx, target.id, dict(customer_changes), force=force)
            out(_("updated {name}: {fields}").format(name=edited.name,
                                                     fields=", ".join(map(labels.field, customer_changes))))


@app.command()
def rm(
    ref: Annotated[str, typer.Argument(metavar="CUSTOMER|DEAL", help=N_("What to delete."))],
    deal: Annotated[bool, Opt("--deal", help=N_("REF names a deal (default: a customer, else a deal)."))] = False,
    yes: Annotated[bool, Opt("--yes", "-y", help=N_("Do not ask."))] = False,
) -> None:
    """Deletes a customer (with its contacts, deals, contracts and instalments) or a deal; tombstones, for sync."""
    from crmtui.services.customers import delete_customer  # deferred
    from crmtui.services.deals import delete_deal  # deferred
    from crmtui.services.lookup import CustomerRef, resolve_customer_or_deal, resolve_deal  # deferred

    with open_session() as ctx:
        target = None if deal else resolve_customer_or_deal(ctx, ref)
        if isinstance(target, CustomerRef):
            from crmtui.services.customers import delete_refusal, team_role  # deferred
            from crmtui.services.customers import removal_note as customer_removal_note  # deferred

            refusal = delete_refusal(ctx, target.name, target.id)  # before asking: a rep in a team may not delete it
            if refusal is not None:
                raise refusal
            question = _("Delete customer {name} and its contacts and deals?").format(name=target.name)
            confirm(sentences(question, customer_removal_note(ctx, target.id)), yes)
            delete_customer(ctx, target.id)
            out(_("deleted customer {name}").format(name=target.name))
            if team_role(ctx) == "manager":
                out(_("it leaves every laptop of the team at their next sync; `crm server restore` brings it back"))
            elif team_role(ctx) == "rep":
                out(_("it had never been sent to the team server: nothing of it is sent now"))
            return
        from crmtui.services.deals import removal_note  # deferred

        found = target or resolve_deal(ctx, ref)
        question = _("Delete deal {title} of {customer}?").format(title=found.title, customer=found.customer_name)
        confirm(sentences(question, removal_note(ctx, found.id)), yes)
        delete_deal(ctx, found.id)
        out(_("deleted deal {title}").format(title=found.title))


@app.command()
def merge(
    keep: Annotated[str, typer.Argument(help=N_("The customer to keep."))],
    other: Annotated[str, typer.Argument(help=N_("The duplicate to merge into it (it becomes a tombstone)."))],
    yes: Annotated[bool, Opt("--yes", "-y", help=N_("Do not ask."))] = False,
) -> None:
    """Merges a duplicate customer into another: nothing is lost."""
    from crmtui.services.merge import describe_merge, merge_customers, merge_plan  # deferred

    with open_session() as ctx:
        kept, gone = find_customer(ctx, keep), find_customer(ctx, other)
        plan = merge_plan(ctx, kept.id, gone.id)
        summary = "\n".join(describe_merge(ctx, plan))
        if yes:
            out(summary)
        confirm(summary + "\n" + _("Merge them?"), yes)
        merged = merge_customers(ctx, kept.id, gone.id, expected=plan)
        out(_("merged {other} into {keep}").format(other=gone.name, keep=merged.name))


# ---------------------------------------------------------------- backup / restore / demo


@app.command()
def backup(path: Annotated[Path, typer.Argument(help=N_("A new file (or a folder) for the copy."))]) -> None:
    """A consistent copy of the database, safe while the app or another command writes."""
    from crmtui.services.backup import backup as run_backup  # deferred

    try:
        written = run_backup(paths.database_path(), path)
    except CrmError as exc:
        fail(exc.message())
    out(_("backed up to {path}").format(path=written))


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help=N_("A backup made by `crm backup`."))],
    yes: Annotated[bool, Opt("--yes", "-y", help=N_("Do not ask."))] = False,
) -> None:
    """Replaces the database with a backup, after checking the file; the current data is copied aside first."""
    from crmtui.services.backup import check_backup, restore as run_restore  # deferred

    try:
        check_backup(path)
        confirm(_("Replace the current database with {path}?").format(path=path), yes)
        saved = run_restore(paths.database_path(), path, paths.backups_dir())
    except CrmError as exc:
        fail(exc.message())
    out(_("restored from {path}").format(path=path) + (_("; previous data saved to {saved}").format(saved=saved) if saved else ""))


@app.command()
def demo() -> None:
    """Fills an empty database with a realistic sample (about 260 customers, six months of follow-ups, a year of deals won and lost)."""
    from crmtui.services.demo import load_demo  # deferred

    with open_session() as ctx:
        counts = load_demo(ctx)
    out(_("demo data loaded: {customers} customers, {contacts} contacts, {deals} deals, {follow_ups} follow-ups").format(**counts))
    out(_("run `crm` to see today's agenda"))
    # The book is written and closed, and the process ends next: the cyclic collector's pass at exit over what the
    # demo loaded (the ORM, pypinyin's dictionaries) cost 0.3 s of CPU and has nothing left to close. Only here, after
    # a success: elsewhere an object caught in a cycle may still have clean-up to run at exit.
    gc.freeze()


contract_app = typer.Typer(help=N_("Contracts: their service cycle and warranty."), no_args_is_help=True)


@contract_app.command("edit")
def contract_edit(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help=N_(
        "The contract's number, e.g. HT-2026-001 (or the start of its id, when two share the number)."))],
    service_months: Annotated[Optional[str], Opt("--service-months", help=N_(
        "A service visit every N months (1-120) while the contract runs (\"\" clears it)."))] = None,
    service_from: Annotated[Optional[str], Opt("--service-from", help=N_(
        "The day the service cycle counts from (default: the day the contract was signed)."))] = None,
    warranty_until: Annotated[Optional[str], Opt("--warranty-until", help=N_(
        "The day the warranty ends (\"\" clears it)."))] = None,
) -> None:
    """Sets a contract's service cycle and warranty end, reminded on Today (a week before each service date, 30 days
    before the warranty ends)."""
    from crmtui.services.customers import edit_contract_service  # deferred

    values = locals()
    changes = {k: values[k] for k in ("service_months", "service_from", "warranty_until") if values[k] is not None}
    if not changes:
        fail(_("contract edit: give at least one of --service-months, --service-from, --warranty-until"))
    with open_session() as ctx, ticket_commands.refusing_bad_input():  # every wrong value said at once
        care = edit_contract_service(ctx, number, changes)
    out(_("updated contract {number} of {name}: {fields}").format(
        number=care.number, name=care.customer_name, fields=", ".join(map(labels.field, changes))))


app.add_typer(contract_app, name="contract")  # `crm contract edit`
team.register(app)  # `crm sync`, `crm pool`, `crm server`
importing.register(app)  # `crm import`
history.register(app)  # `crm history`, `crm undo`
exporting.register(app)  # `crm export`
person.register(app)  # `crm person export`, `crm person erase`
report.register(app)  # `crm report`
remind.register(app)  # `crm remind`
ticket_commands.register(app)  # `crm ticket`
revisit_commands.register(app)  # `crm revisit`


def main() -> None:
    """Entry point of the `crm` script."""
    app()

