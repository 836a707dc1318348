"""Whose figures a report counts.

A deal belongs to the rep its import named (`owner_name`, another CRM's sales agent) when it has one, else to
its customer's owner (in a team); a follow-up to its customer's owner as well. `rep` is None for everything this
book holds (a rep's own book; a manager's whole team, which `--rep all` asks for), or one rep's name.
"""

from __future__ import annotations

from crmtui.core.errors import Ambiguous, InvalidInput, Match, NotAllowed
from crmtui.services.agenda import ALL_REPS, is_manager, matching_reps, owned_by, team_reps
from crmtui.services.context import Context
from crmtui.store.reports import scope as store


def deal_rep(customer_owner: str | None, deal_owner_name: str | None) -> str | None:
    """The rep a deal counts for: the imported owner when there is one, else the customer's owner."""
    return deal_owner_name or customer_owner


def counts_for(rep: str | None, who: str | None) -> bool:
    """Whether a record of rep `who` is in the view of `rep` (see the module's note)."""
    return owned_by(rep, who)


def reps(ctx: Context) -> list[str]:
    """Every rep a report can be asked for: the team's reps this laptop holds and the owners imported deals name.
    None for a rep in a team who is not its manager: a rep's reports are their own figures."""
    if ctx.settings.sync.configured and not is_manager(ctx):
        return []
    with ctx.db.raw_read() as connection:
        names = set(store.imported_owners(connection))
    if ctx.settings.sync.configured:
        names.update(team_reps(ctx))
    return sorted(names)


def resolve(ctx: Context, text: str) -> str | None:
    """`--rep` of a report: "all" (None: everything the book holds), or one rep by whole name (any case), else the
    one name it begins; two such names are listed, never one picked. A rep in a team asks for no one: their reports
    are their own figures."""
    wanted = text.strip()
    if wanted.casefold() == ALL_REPS:
        return None  # everything this book holds: the whole team on a manager's laptop, as the app's "everyone"
    known = reps(ctx)
    if not known and ctx.settings.sync.configured:
        raise NotAllowed("--rep is a manager's: a rep's reports are their own figures")
    found = matching_reps(wanted, known)
    if len(found) > 1:
        raise Ambiguous("rep", wanted, [Match(name, name) for name in found])
    if not found:
        raise InvalidInput("rep", "a rep this book holds ({reps}) or all", wanted,
                           reps=", ".join(known) or "-")
    return found[0]
