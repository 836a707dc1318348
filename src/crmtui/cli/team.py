"""`crm sync ...`, `crm pool ...` and `crm server ...`: team sync from the shell.

Start-up deferrals: the commands import the team's services (crmtui.services.team, .admin), the settings and the
date formatting inside themselves. This module loads with every `crm` command, and those imports cost about 0.4 s
(measured with `python -X importtime`), which `crm log` and `crm today` never pay; psycopg, keyring and Alembic
load later still, only when a command talks to the server.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Optional, TypeVar

import typer

from crmtui.cli.output import confirm, fail, lang, out, print_json
from crmtui.cli.session import EXIT_AMBIGUOUS, find_customer, open_session
from crmtui.core import labels
from crmtui.core.config import SyncSettings, save_sync_settings
from crmtui.core.errors import Ambiguous, CrmError, InvalidInput
from crmtui.core.i18n import N_, _, ngettext
from crmtui.core.normalize import visible

if TYPE_CHECKING:
    from crmtui.core.clock import Clock
    from crmtui.services.context import Context

T = TypeVar("T")

Opt = typer.Option
Arg = typer.Argument

sync_app = typer.Typer(help=N_("Team sync: one round (push, then pull), its set-up, status and conflicts."),
                       invoke_without_command=True)
pool_app = typer.Typer(help=N_("The team's public pool (公海): list, claim, release. Needs the server."),
                       invoke_without_command=True)
server_app = typer.Typer(help=N_("Team server administration: the admin's commands (with the admin's DSN), and a"
                                  " manager's, which run on a manager's laptop with its own team login."),
                         no_args_is_help=True)

DSN = Annotated[Optional[str], Opt("--dsn", envvar="CRMTUI_SERVER_DSN", show_envvar=True,
                                   help=N_("The admin's connection URL; put the password in ~/.pgpass or PGPASSWORD,"
                                           " not here."))]
MANAGER_DSN = Annotated[Optional[str], Opt("--dsn", envvar="CRMTUI_SERVER_DSN", show_envvar=True, help=N_(
    "The admin's connection URL; without it, this laptop's own team login is used (a manager's, from"
    " `crm sync setup`)."))]
SHOWN_REJECTIONS = 5
"""Rejections listed after a round; `crm sync conflicts` lists them all."""
JSON_OUT = Annotated[bool, Opt("--json", help=N_("Machine-readable output only."))]


def _when(session: Context, text: str | None) -> str:
    """A stored ISO moment as the app shows it (in the rep's zone, the rep's language), or a dash."""
    if not text:
        return "—"
    return _moment(session.clock, datetime.fromisoformat(text.replace(" ", "T")))


def _moment(clock: Clock, moment: datetime | None, with_time: bool = True) -> str:
    """A moment (UTC if naive) as the app shows dates: "Tue 1 Dec 08:00" in the rep's zone, the year only when it
    is not this year's; "Tue 1 Dec" without the time."""
    from crmtui.core.dates import format_when  # deferred (see the module's docstring)

    local = clock.to_local(moment) if moment is not None else None
    if local is None:
        return "—"
    return format_when(local if with_time else local.date(), with_time, lang(), clock.today())


# ---------------------------------------------------------------- crm sync


@sync_app.callback()
def sync_callback(ctx: typer.Context) -> None:
    """With no subcommand: one sync round now (push the outbox, then pull what changed)."""
    if ctx.invoked_subcommand is not None:
        return
    # deferred (see the module's docstring)
    from crmtui.services.team import (
        reason_text,
        rejected_customer_names,
        report_notes,
        sync_round,
    )

    with open_session() as session:
        report = sync_round(session)
        out(_("synced: {pushed} sent ({applied} applied, {superseded} superseded, {rejected} rejected),"
                    " {pulled} received").format(pushed=report.pushed, applied=report.applied,
                                                 superseded=report.superseded, rejected=report.rejected,
                                                 pulled=report.pulled))
        for text, _warning in report_notes(report, session):
            out(text)
        names = rejected_customer_names(session)
        for seq, reason in report.rejections[:SHOWN_REJECTIONS]:
            if seq in names:
                out(_("  rejected change #{seq} ({customer}): {reason}").format(
                    seq=seq, customer=names[seq], reason=reason_text(reason)))
            else:
                out(_("  rejected change #{seq}: {reason}").format(seq=seq, reason=reason_text(reason)))
        if len(report.rejections) > SHOWN_REJECTIONS:
            out("  " + _("… and {count} more").format(count=len(report.rejections) - SHOWN_REJECTIONS))
        if report.rejections:
            out(_("see `crm sync conflicts` for the rejected changes"))


@sync_app.command("setup")
def sync_setup(
    server: Annotated[str, Opt("--server", help=N_("postgresql://host:port/database of the team server."))],
    user: Annotated[str, Opt("--user", help=N_("Your login on the team server (from your admin)."))],
    insecure: Annotated[bool, Opt("--insecure", help=N_("Allow a non-local server without verified TLS."))] = False,
    interval: Annotated[int, Opt("--interval", min=0, help=N_("Seconds between sync rounds in the app (0: on the key only)."))] = 60,
    allow_plaintext_keyring: Annotated[bool, Opt("--allow-plaintext-keyring", help=N_(
        "Store the password even in a keyring backend that keeps it unencrypted in a file (refused otherwise)."))] = False,
) -> None:
    """Connects this laptop to the team server. The password is asked here and kept in the OS keyring."""
    # deferred (see the module's docstring)
    from crmtui.services.team import (
        check_connection,
        check_keyring,
        check_server_url,
        keyring_place,
        keyring_warning,
        ssl_mode,
        store_password,
    )

    sync = SyncSettings(server=server.strip(), user=user.strip(), interval=interval, allow_insecure=insecure)
    with open_session() as session:
        check_server_url(sync.server)
        if not sync.user:
            raise InvalidInput("user", "your login on the team server", user)
        ssl_mode(sync)  # refuses a non-local server without TLS before asking anything
        check_keyring(allow_plaintext=allow_plaintext_keyring)
        _warn(keyring_warning())
        password = typer.prompt(_("Password for {user}").format(user=sync.user), hide_input=True, err=True)
        session.settings = replace(session.settings, sync=sync)
        info = check_connection(session, password)
        store_password(sync, password)
        path = save_sync_settings(sync)
        out(_("connected to {server} as {user} (server schema {schema}{manager}); settings saved in {path},"
                    " the password in {place}").format(
            server=sync.server, user=sync.user, schema=info.schema_version, path=path, place=keyring_place(),
            manager=_(", manager") if info.manager else ""))
        out(_("run `crm sync` to send and receive now"))


@sync_app.command("status")
def sync_status(json_out: JSON_OUT = False) -> None:
    """Last success, pending and rejected changes, server versions, clock offset (no connection needed)."""
    # deferred (see the module's docstring)
    from crmtui.services.team import keyring_warning, status

    with open_session() as session:
        state = status(session)
        if state.configured:
            _warn(keyring_warning())
        if json_out:
            print_json(asdict(state))
            return
        if not state.configured:
            out(_("team sync is not set up: run `crm sync setup --server URL --user NAME`"))
        else:
            out(_("server: {server} as {user}{manager}").format(
                server=state.server, user=state.user, manager=_(" (manager)") if state.manager else ""))
        out(_("last success: {when}").format(when=_when(session, state.last_ok)))
        if state.last_error:
            out(_("last error ({when}): {error}").format(when=_when(session, state.last_error_at), error=state.last_error))
        out(_("pending changes: {count}").format(count=state.pending))
        out(_("rejected changes: {count}").format(count=state.rejected))
        if state.set_aside:
            out(_("rows received but set aside (see `crm sync conflicts`): {count}").format(count=state.set_aside))
        if state.server_versions:
            out(_("server versions: schema {schema}, mutation formats {fmin}-{fmax}").format(
                schema=state.server_versions["schema"], fmin=state.server_versions["format_min"],
                fmax=state.server_versions["format_max"]))
        if state.clock_offset_ms is not None:
            out(_("clock offset: {seconds:+.1f} s against the server").format(seconds=state.clock_offset_ms / 1000))


@sync_app.command("conflicts")
def sync_conflicts(
    json_out: JSON_OUT = False,
    dismiss: Annotated[Optional[str], Opt("--dismiss", metavar="ID|all", help=N_(
        "Dismiss a rejected change by its number (#12: 12), or all of them: you have read it and give it up."))] = None,
) -> None:
    """Same-field conflicts (who, field, kept value, lost value) and rejected changes with their reasons."""
    # deferred (see the module's docstring)
    from crmtui.services.team import (
        RECEIVED,
        advice,
        change_fields,
        conflicts,
        dismiss_rejected,
        mark_conflicts_seen,
        reason_text,
        record_kind,
        raw_fields,
        rejected_changes,
        shown_value,
    )

    with open_session() as session:
        if dismiss is not None:
            which = dismiss.strip().lstrip("#")
            if which.casefold() != "all" and not which.isdigit():
                raise InvalidInput("dismiss", "the number of a rejected change (as #12 in the list) or all",
                                   dismiss)
            count = dismiss_rejected(session, None if which.casefold() == "all" else int(which))
            out(ngettext("dismissed {count} rejected change", "dismissed {count} rejected changes",
                                    count).format(count=count))
            return
        found, rejected = conflicts(session)
        mark_conflicts_seen(session)
        aside = [r for r in rejected if r.kind == RECEIVED]
        changes = rejected_changes([r for r in rejected if r.kind != RECEIVED])
        if json_out:
            # One format for rejected changes and rows set aside: raw values (docs/sync.md lists the keys).
            print_json({"conflicts": [asdict(c) for c in found],
                        "rejected": [{**asdict(r), "reason_code": r.reason_code, "fields": raw_fields(r),
                                      "advice": advice(r, session), "dismissable": r.dismissable,
                                      "companions": [asdict(m) for m in companions]}
                                     for r, companions in [(change.rejection, change.companions) for change in changes]
                                     + [(r, []) for r in aside]]})
            return
        if not found and not rejected:
            out(_("no conflicts and no rejected changes"))
        if found:
            out(_("Conflicts (the later write was kept):"))
        for c in found:
            out(_("  {when}  {customer} · {field}: kept {kept} ({kept_by}), lost {lost} ({lost_by})").format(
                when=_when(session, c.at), customer=c.customer or c.record_id[:8], field=labels.field(c.field),
                kept=shown_value(c.kept), kept_by=c.kept_by or "?", lost=shown_value(c.lost), lost_by=c.lost_by or "?"))
        rejected = [change.rejection for change in changes]
        if rejected:
            out(_("Rejected changes (not on the server):"))
        for r in rejected:
            fields = ", ".join(f"{name}={shown_value(value)}" for name, value in change_fields(session, r.table, r.changes, r.kind))
            out(_("  #{seq} {customer} · {what}: {reason}").format(
                seq=r.seq, customer=r.customer or _("a customer no longer on this laptop"),
                what=record_kind(r.table), reason=reason_text(r.reason)))
            if fields:
                out("      " + fields)
            out("      " + advice(r, session))
        if rejected:
            out(_("dismiss one with `crm sync conflicts --dismiss ID`, all with `--dismiss all`"))
        if aside:
            out(_("Received from the server but set aside (not stored on this laptop):"))
        for r in aside:
            out(_("  {table} {id}: {reason}").format(table=r.table, id=r.record_id[:8],
                                                          reason=reason_text(r.reason)))
        if aside:
            out("      " + advice(aside[0]))


def _warn(text: str | None) -> None:
    """A warning on stderr (stdout stays the command's output, JSON included)."""
    if text:
        sys.stderr.write(_("warning: ") + visible(text) + "\n")


# ---------------------------------------------------------------- crm pool


@pool_app.callback()
def pool_callback(ctx: typer.Context, json_out: JSON_OUT = False) -> None:
    """With no subcommand: lists the customers in the pool."""
    if ctx.invoked_subcommand is not None:
        return
    # deferred (see the module's docstring)
    from crmtui.services.team import pool_list, why_text

    with open_session() as session:
        customers = pool_list(session)
        if json_out:
            print_json([{"id": c.id, "name": c.name, "company": c.company, "industry": c.industry,
                               "region": c.region, "status": c.status,
                               "last_follow_up": c.last_follow_up.isoformat() if c.last_follow_up else None,
                               "in_pool_because": c.why, "release_reason": c.note,
                               "in_pool_since": c.since.isoformat() if c.since else None,
                               "claimable_after": c.claimable_after.isoformat() if c.claimable_after else None}
                              for c in customers])
            return
        if not customers:
            out(_("the pool is empty"))
        for c in customers:
            # The app's pool list words: when the rep may claim it again, else when it was last followed up.
            if c.claimable_after:
                when = _("claim again from {day}").format(day=_moment(session.clock, c.claimable_after))
            else:
                when = _("last {day}").format(day=_moment(session.clock, c.last_follow_up, with_time=False))
            details = " · ".join(part for part in (c.industry, c.region, why_text(c)) if part)
            out(f"{c.id[:8]}  {c.name}" + (f"  ·  {details}" if details else "") + "  ·  " + when)


@pool_app.command("claim")
def pool_claim(customer: Annotated[str, Arg(help=N_("Name, pinyin or id of a pool customer."))]) -> None:
    """Claims a customer from the pool (the daily limit and the team's rules apply)."""
    from crmtui.services.team import claim  # deferred (see the module's docstring)

    with open_session() as session:
        name, report = claim(session, customer)
        hours = _rules_value(session, "first_contact_hours")
        if report is None:
            out(_("claimed {name}; it will arrive with the next `crm sync`").format(name=name))
        else:
            out(_("claimed {name}; it is in your lists now").format(name=name))
        if hours:
            out(_("log a follow-up within {hours} h or it goes back to the pool").format(hours=hours))


@pool_app.command("release")
def pool_release(
    customer: Annotated[str, Arg(help=N_("Name, pinyin or id of one of your customers."))],
    reason: Annotated[str, Opt("--reason", help=N_("Why: not-my-territory, no-budget, duplicate, wrong-contact, or"
                                                   " \"other: your words\"."))],
    yes: Annotated[bool, Opt("--yes", "-y", help=N_("Do not ask for confirmation."))] = False,
) -> None:
    """Gives one of your customers back to the pool, saying why (the team sees the reason in the pool)."""
    # deferred (see the module's docstring)
    from crmtui.services.team import parse_reason_option, reason_label, release

    with open_session() as session:
        why = parse_reason_option(reason)
        found = find_customer(session, customer)
        confirm(_("Release {name} to the pool ({reason})? Any rep may claim it then.").format(
            name=found.name, reason=reason_label(why)), yes)
        release(session, found.id, why)
        out(_("released {name} to the pool ({reason})").format(name=found.name, reason=reason_label(why)))


def _rules_value(session: Context, key: str) -> int | None:
    from crmtui.services.team import pool_rules  # deferred (see the module's docstring)

    rules = pool_rules(session)
    return rules.get(key) if rules else None


# ---------------------------------------------------------------- crm server


def _admin(call: Callable[[], T]) -> T:
    """Runs a `crm server` command's service call: a refusal is one line on stderr, an ambiguous customer lists
    the matches."""
    try:
        return call()
    except Ambiguous as exc:
        fail("\n".join([exc.message()] + [f"  {m.id[:8]}  {m.label}" for m in exc.matches]), EXIT_AMBIGUOUS)
    except CrmError as exc:
        fail(exc.message())
    raise AssertionError("fail() ends the command")


def _as_manager(dsn: str | None, call: Callable[[Context | None], T]) -> T:
    """Runs a manager's command as the admin (with the admin's URL) or, without one, with this laptop's own team
    login (its session)."""
    if dsn:
        return _admin(lambda: call(None))
    with open_session() as session:
        return call(session)


@server_app.command("init")
def server_init(
    dsn: DSN = None,
    new_epoch: Annotated[bool, Opt("--new-epoch", help=N_("After restoring the server from a backup: every laptop resyncs fully."))] = False,
    team: Annotated[Optional[str], Opt("--team", help=N_("The team's name, which prefixes its group roles (crm_TEAM_rep...); by default the database's name. Set once."))] = None,
) -> None:
    """Creates or migrates the team schema (tables, row-level security, roles, functions). Safe to run again."""
    from crmtui.services import admin  # deferred (see the module's docstring)

    result = _admin(lambda: admin.init(dsn, team=team, new_epoch=new_epoch))
    if result.revision_before == result.revision_after:
        out(_("the team schema is up to date ({revision})").format(revision=result.revision_after))
    else:
        out(_("team schema created or migrated: {before} → {after}").format(
            before=result.revision_before or _("empty"), after=result.revision_after))
    out(_("team {team}: group roles {rep}, {manager}, {admin}").format(
        team=result.team, rep=result.roles["rep"], manager=result.roles["manager"], admin=result.roles["admin"]))
    out(_("sync epoch: {epoch}").format(epoch=result.epoch))


@server_app.command("add-rep")
def server_add_rep(
    name: Annotated[str, Arg(help=N_("The rep's login: lower-case letters, digits, _."))],
    dsn: DSN = None,
    manager: Annotated[bool, Opt("--manager", help=N_("A manager sees every rep's customers and can reassign."))] = False,
) -> None:
    """Creates a rep's login and prints its generated password once."""
    from crmtui.services import admin  # deferred (see the module's docstring)

    password, existed = _admin(lambda: admin.add_rep(dsn, name, manager=manager))
    if existed:
        out(_("{name} existed: the role is now {role} and a new password replaces the old one (their"
                    " laptops need `crm sync setup` again):").format(name=name, role=_("manager") if manager else _("rep")))
    else:
        out(_("{role} {name} can log in; the password (shown once, give it to them):").format(
            role=_("manager") if manager else _("rep"), name=name))
    out(password)


@server_app.command("remove-rep")
def server_remove_rep(name: Annotated[str, Arg(help=N_("The rep's login."))], dsn: DSN = None) -> None:
    """Stops a rep's login, ends their sessions and returns their customers to the pool."""
    from crmtui.services import admin  # deferred (see the module's docstring)

    count = _admin(lambda: admin.remove_rep(dsn, name))
    out(ngettext("{name} can no longer log in; {count} customer went back to the pool",
                       "{name} can no longer log in; {count} customers went back to the pool", count).format(
        name=name, count=count))


@server_app.command("reassign")
def server_reassign(
    customer: Annotated[str, Arg(help=N_("The customer: a name, part of it, pinyin initials or an id prefix."))],
    rep: Annotated[str, Arg(help=N_("The rep who gets it, or `pool`."))],
    dsn: MANAGER_DSN = None,
) -> None:
    """Gives a customer to another rep (or to the pool): the admin, or a manager on their own laptop."""
    from crmtui.services import admin  # deferred (see the module's docstring)

    target = None if rep == "pool" else rep
    name = _as_manager(dsn, lambda session: admin.reassign(customer, target, dsn=dsn, ctx=session))
    out(_("{name} now belongs to {rep}").format(name=name, rep=rep))


@server_app.command("restore")
def server_restore(
    customer: Annotated[str, Arg(help=N_("The deleted customer: a name, part of it, pinyin initials or an id prefix."))],
    dsn: MANAGER_DSN = None,
) -> None:
    """Brings back a deleted customer with the records deleted with it; every laptop receives it again."""
    from crmtui.services import admin  # deferred (see the module's docstring)

    name = _as_manager(dsn, lambda session: admin.restore(customer, dsn=dsn, ctx=session))
    out(_("restored {name}; every laptop receives it again at its next sync").format(name=name))


@server_app.command("deleted")
def server_deleted(dsn: MANAGER_DSN = None, json_out: JSON_OUT = False) -> None:
    """Lists the deleted customers a restore can bring back: when each was deleted, and to whom it goes back."""
    from crmtui.services import admin  # deferred (see the module's docstring)

    def listed(session: Context | None) -> list[tuple[admin.DeletedCustomer, str]]:
        clock = session.clock if session is not None else admin.admin_clock()
        return [(row, _moment(clock, row.deleted_at)) for row in admin.deleted(dsn=dsn, ctx=session)]

    rows = _as_manager(dsn, listed)
    if json_out:
        print_json([{"id": row.id, "name": row.name, "deleted_at": row.deleted_at.isoformat() if row.deleted_at
                     else None, "back_to": row.back_to} for row, _shown in rows])
        return
    if not rows:
        out(_("no deleted customers"))
    for row, shown in rows:
        back = _("back to {rep}").format(rep=row.back_to) if row.back_to else _("back to the pool")
        out(f"{row.id[:8]}  {row.name}  ·  " + _("deleted {day}").format(day=shown) + f"  ·  {back}")


@server_app.command("rules")
def server_rules(
    dsn: DSN = None,
    reclaim_days: Annotated[Optional[int], Opt("--reclaim-days", min=1, help=N_("Back to the pool after this many days without a follow-up (no won deal)."))] = None,
    claim_limit: Annotated[Optional[int], Opt("--claim-limit", min=0, help=N_("Claims a rep may make a day."))] = None,
    first_contact_hours: Annotated[Optional[int], Opt("--first-contact-hours", min=1, help=N_("A claimed customer needs a follow-up within this many hours."))] = None,
    relock_days: Annotated[Optional[int], Opt("--relock-days", min=0, help=N_("Days before a rep may claim again a customer they released or lost."))] = None,
    max_held: Annotated[Optional[int], Opt("--max-held", min=0, help=N_("Customers a rep may hold at most (0: no cap)."))] = None,
    warn_days: Annotated[Optional[int], Opt("--warn-days", min=0, help=N_("Warn the owner this many days before the reclaim."))] = None,
    duplicate_checks_per_minute: Annotated[Optional[int], Opt("--duplicate-checks-per-minute", min=0, help=N_("Team-wide duplicate checks a rep may make a minute."))] = None,
    duplicate_checks_per_day: Annotated[Optional[int], Opt("--duplicate-checks-per-day", min=0, help=N_("Team-wide duplicate checks a rep may make a day."))] = None,
    import_checks_per_day: Annotated[Optional[int], Opt("--import-checks-per-day", min=0, help=N_("Keys a rep's imports may check against the team a day."))] = None,
) -> None:
    """Shows the pool rules; with options, sets them."""
    from crmtui.services import admin  # deferred (see the module's docstring)

    changes = {key: value for key, value in {
        "reclaim_days": reclaim_days, "claim_limit": claim_limit, "first_contact_hours": first_contact_hours,
        "relock_days": relock_days, "max_held": max_held, "warn_days": warn_days,
        "duplicate_checks_per_minute": duplicate_checks_per_minute,
        "duplicate_checks_per_day": duplicate_checks_per_day,
        "import_checks_per_day": import_checks_per_day}.items() if value is not None}
    rules = _admin(lambda: admin.rules(dsn, changes))
    for key, value in rules.items():
        out(f"{key.replace('_', '-')}: {'—' if value is None else value}")


@server_app.command("reclaim")
def server_reclaim(dsn: DSN = None) -> None:
    """Returns overdue customers to the pool now (for cron; claim and pull also do it)."""
    from crmtui.services import admin  # deferred (see the module's docstring)

    count = _admin(lambda: admin.reclaim(dsn))
    out(ngettext("{count} customer went back to the pool", "{count} customers went back to the pool",
                       count).format(count=count))


@server_app.command("reps")
def server_reps(dsn: MANAGER_DSN = None) -> None:
    """Lists the reps: manager or not, active or not, customers held (the admin, or a manager on their laptop)."""
    from crmtui.services import admin  # deferred (see the module's docstring)

    reps = _as_manager(dsn, lambda session: admin.reps(dsn=dsn, ctx=session))
    if not reps:
        out(_("no reps yet: add one with `crm server add-rep NAME`"))
    for rep in reps:
        flags = ", ".join(flag for flag, on in ((_("manager"), rep.manager), (_("removed"), not rep.active)) if on)
        out(ngettext("{name}: {count} customer", "{name}: {count} customers", rep.held).format(
            name=rep.name, count=rep.held) + (f"  ({flags})" if flags else ""))


def register(app: typer.Typer) -> None:
    app.add_typer(sync_app, name="sync")
    app.add_typer(pool_app, name="pool")
    app.add_typer(server_app, name="server")

