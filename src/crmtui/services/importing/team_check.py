"""The team-wide duplicate check of an import: in a team, each row's keys (phone key, email key, normalised name)
are also checked against the team server's customers that this laptop does not hold (the pool's, and
colleagues'), a chunk of rows in one call, as `crm add` checks one record. A row that matches one is not created:
it is listed among the skipped rows, saying who holds it (a colleague, or the pool: claim it instead).

Deals and follow-up history name their customer: a name the book does not hold (a customer the import would add)
is checked by its name, and a row whose customer the team holds is skipped alike.

The run's rows pass through `screened` on their way in (crmtui.services.importing.run): rows are read ahead a
chunk at a time, so memory stays flat. When the check cannot be made (offline, the day's budget used up, a server
too old for it) the import goes on against the laptop's own book and says so. A manager's laptop holds the whole
team's book, so its own check already sees every customer; `--on-duplicate create` adds rows whatever matches, as
`crm add --force` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, Protocol

from crmtui.core import i18n, normalize
from crmtui.core.errors import CrmError
from crmtui.core.fields import label
from crmtui.core.i18n import _
from crmtui.services.context import Context
from crmtui.services.importing.readers import Row

if TYPE_CHECKING:
    from crmtui.sync.client import TeamMatch

CHUNK = 500
"""Rows read ahead and checked in one call (three keys a row at most)."""
SHOWN_SKIPS = 200
"""Skipped rows listed in the report, as the run lists its own (all are counted)."""
_KINDS = ("phone", "email", "name")
"""The order `crm add` checks a record's keys in."""
CHECKED = ("customers", "leads", "contacts", "deals", "follow-ups")
"""The imports that add customers: by their own keys, or (deals, follow-up history) by the name of a customer the
book does not hold, which the import would add."""


@dataclass
class Held:
    """A row left out because the team holds its customer (listed with the run's skipped rows)."""

    row: int
    reason: str


class _Run(Protocol):
    """What the check needs of an import run: its context, options, mapping of a row, and result."""

    ctx: Context
    options: Any
    mapping: Any
    result: Any

    def _map(self, row: Row) -> Any: ...


def applies(ctx: Context, on_duplicate: str) -> bool:
    """Whether an import asks the team server: sync set up, a rep's laptop (not a manager's, which holds the whole
    book), and duplicates not wanted."""
    if not ctx.settings.sync.configured or on_duplicate == "create":
        return False
    # deferred: the sync modules (~0.2 s) load for a team's import only
    from crmtui.sync.client import status

    return not status(ctx).manager


def screened(run: _Run, rows: Iterable[Row]) -> Iterator[Row]:
    """The rows to import, in order, without those whose customer the team holds (counted and listed as skipped in
    the run's result). When the check cannot be made, every row passes and the result says why."""
    if run.mapping.kind not in CHECKED or not applies(run.ctx, run.options.on_duplicate):
        yield from rows
        return
    from crmtui.sync.client import duplicate_checker  # deferred: as in applies()

    stack = ExitStack()
    check: Any = None
    asked = False
    with stack:
        source = iter(rows)
        while chunk := list(islice(source, CHUNK)):
            keyed = [(row, row_keys(run, row)) for row in chunk]
            found: dict[tuple[str, str], TeamMatch] = {}
            wanted = list(dict.fromkeys(key for _row, keys in keyed for key in keys))
            if wanted and not asked:  # connected when a row has keys: a file of the book's customers asks nothing
                asked = True
                try:
                    check = stack.enter_context(duplicate_checker(run.ctx.settings.sync))
                except CrmError as error:
                    _not_made(run, error)
            if check is not None and wanted:
                try:
                    found = check(wanted)
                except CrmError as error:
                    _not_made(run, error)
                    check = None
            for row, keys in keyed:
                match = next(((kind, found[kind, key]) for kind, key in keys
                              if (kind, key) in found and found[kind, key].holder != "mine"), None)
                if match is None:
                    yield row
                else:
                    _held(run, row.number, *match)


def row_keys(run: _Run, row: Row) -> list[tuple[str, str]]:
    """A row's keys as the run will judge it, in `crm add`'s order: a customer's (or a person's) phone, email and
    name; for a contact of a company, the company's name (the customer the row would add)."""
    if row.error is not None:
        return []
    try:
        values = run._map(row).values
    except Exception:  # noqa: BLE001 - a row the mapping refuses is the run's to refuse, with its reason
        return []
    if run.mapping.kind == "contacts" and values.get("customer"):
        name, phone, email = values["customer"], None, None
    else:
        name = values.get("name") or values.get("contact")
        phone, email = values.get("phone"), values.get("email")
    keys = {"phone": normalize.phone_key(phone), "email": normalize.email_key(email),
            "name": normalize.name_key(name) if name and name.strip() else None}
    return [(kind, keys[kind]) for kind in _KINDS if keys[kind]]  # type: ignore[misc]


def _held(run: _Run, number: int, kind: str, match: TeamMatch) -> None:
    reason = kind if i18n.language == "en" else label(kind)
    if match.holder == "pool":
        # deferred: with the sync modules (see applies())
        from crmtui.services.team_words import app_key

        text = _('same {reason} as "{name}" in the pool — claim it instead (`crm pool claim`, {key} in the app)'
                 ).format(reason=reason, name=match.name or "?", key=app_key(run.ctx, "pool"))
    elif match.owner:
        text = _("same {reason} as a customer held by {rep} on the team server").format(reason=reason,
                                                                                      rep=match.owner)
    else:
        text = _("same {reason} as a customer held by a colleague on the team server").format(reason=reason)
    run.result.skipped += 1
    if len(run.result.skips) < SHOWN_SKIPS:
        run.result.skips.append(Held(number, text))


def _not_made(run: _Run, error: CrmError) -> None:
    run.result.team_check = _("the team server's duplicate check could not be made, so rows were checked against"
                              " this laptop's book only: {reason}").format(reason=error.message())
