"""Every key binding of the app by id, with its default keys and where it applies.

The config's [keys] table is checked against this list by every command (not only when the app
starts), so a typo or a key bound twice is refused before anything runs. A test keeps the list equal
to the bindings the screens declare. Each entry also carries the binding's one-line tooltip, which the app
gives the binding (tui/bindings.py) and the help lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crmtui.core.i18n import N_

APP = "everywhere"
"""The scope of the app's own bindings: they apply on every screen."""


@dataclass(frozen=True)
class KeyBinding:
    """One binding: its id (None for fixed keys that cannot be remapped), default keys, scope, and the one-line
    tooltip (English, N_) the footer and the help show beside its short description."""

    id: str | None
    keys: str
    scope: str
    tooltip: str


BINDINGS: tuple[KeyBinding, ...] = (
    KeyBinding("today", "t", APP, N_("Go back to today's agenda from any screen")),
    KeyBinding("pipeline", "p", APP, N_("Open the board of deals by stage")),
    KeyBinding("search", "slash", APP, N_("Find a customer by name, phone, email, WeChat, pinyin or notes")),
    KeyBinding("help", "question_mark", APP, N_("List every key of every screen")),
    KeyBinding("pool", "o", APP, N_("Open the team's pool of customers nobody holds")),
    KeyBinding("sync", "S", APP, N_("Send and receive the team's changes now")),
    KeyBinding("conflicts", "C", APP, N_("See the changes the server refused, and why")),
    KeyBinding("reports", "g", APP, N_("Open the reports: funnel, lost deals, sources, forecast, activity...")),
    KeyBinding("tickets", "T", APP, N_("Open the service requests, the overdue first")),
    KeyBinding("quit", "q", APP, N_("Leave crmtui; everything is saved already")),
    KeyBinding("open", "enter", "today", N_("Open the highlighted customer")),
    KeyBinding("log", "l", "today", N_("Log a call, visit or message with the highlighted customer")),
    KeyBinding("new", "n", "today", N_("Add a lead, a customer, a contact or a deal")),
    KeyBinding("stage", "s", "today", N_("Move the highlighted row's deal to another stage")),
    KeyBinding("next-section", "tab", "today", N_("Jump to the first row of the next section")),
    KeyBinding("previous-section", "shift+tab", "today", N_("Jump back to the first row of the previous section")),
    KeyBinding("down", "j", "today", N_("Move down the list")),
    KeyBinding("up", "k", "today", N_("Move up the list")),
    KeyBinding("reload", "r", "today", N_("Read the list again")),
    KeyBinding("back-today", "escape", "today", N_("Back from a rep's Today to your own")),
    KeyBinding("import", "i", "today", N_("Bring customers, contacts or leads in from a CSV, Excel or vCard file")),
    KeyBinding("undo", "u", "today", N_("Undo your last change (shows what it reverts and asks first)")),
    KeyBinding("log-customer", "l", "customer", N_("Log a call, visit or message with this customer")),
    KeyBinding("edit", "e", "customer", N_("Change this customer's details")),
    KeyBinding("add-contact", "a", "customer", N_("Add a person to talk to at this customer")),
    KeyBinding("edit-contact", "E", "customer", N_("Change the highlighted contact's details")),
    KeyBinding("remove-contact", "x", "customer", N_("Remove the highlighted contact, after a yes")),
    KeyBinding("add-deal", "d", "customer", N_("Start a deal with this customer")),
    KeyBinding("stage-customer", "s", "customer", N_("Move the highlighted deal to another stage")),
    KeyBinding("convert", "c", "customer", N_("Make this lead a customer, with its first follow-up planned")),
    KeyBinding("merge", "m", "customer", N_("Fold a duplicate record into this customer")),
    KeyBinding("mark-paid", "dollar_sign", "customer", N_("Mark the highlighted instalment paid, on the day you give (today by default)")),
    KeyBinding("reassign", "R", "customer", N_("Give this customer to another rep or to the pool (a manager's key)")),
    KeyBinding("release", "P", "customer", N_("Give this customer back to the pool, saying why")),
    KeyBinding("edit-deal", "D", "customer", N_("Change the highlighted deal's amount, close date, competitor or probability")),
    KeyBinding("delete-deal", "X", "customer", N_("Delete the highlighted deal, after a yes")),
    KeyBinding("delete-customer", "ctrl+d", "customer", N_("Delete this customer with its contacts and deals, after a yes")),
    KeyBinding("back", "escape", "customer", N_("Back to the previous screen")),
    KeyBinding("correct-follow-up", "L", "customer", N_("Correct the last follow-up (within 24 hours of logging it)")),
    KeyBinding("history", "h", "customer", N_("See every change to this customer: when, who, from where, old and new")),
    KeyBinding("undo-customer", "u", "customer", N_("Undo your last change (shows what it reverts and asks first)")),
    KeyBinding("revisit-done", "v", "customer", N_("Log a planned revisit as done, with its satisfaction score")),
    KeyBinding("move-revisit", "V", "customer", N_("Move a planned revisit to another day")),
    KeyBinding("drop-revisit", "Z", "customer", N_("Drop a planned revisit, saying why if you like (u undoes it)")),
    KeyBinding("customer-new-ticket", "n", "customer", N_("Open a new ticket (service request) for this customer")),
    KeyBinding("contract-service", "W", "customer", N_("Set a contract's own service cycle and warranty end")),
    KeyBinding("column-left", "left,h", "board", N_("Go to the stage on the left")),
    KeyBinding("column-right", "right", "board", N_("Go to the stage on the right")),
    KeyBinding("move-left", "shift+left", "board", N_("Move the highlighted deal one stage back")),
    KeyBinding("move-right", "shift+right", "board", N_("Move the deal one stage forward (Quote, Won and Lost ask for details first)")),
    KeyBinding("stage-board", "s", "board", N_("Move the highlighted deal to any stage")),
    KeyBinding("log-board", "l", "board", N_("Log a follow-up with the highlighted deal's customer")),
    KeyBinding("open-board", "enter", "board", N_("Open the highlighted deal's customer")),
    KeyBinding(None, "j", "board", N_("Move down the stage")),
    KeyBinding(None, "k", "board", N_("Move up the stage")),
    KeyBinding("back-board", "escape", "board", N_("Back to the previous screen")),
    KeyBinding("rep-board", "at", "board", N_("Show one rep's deals, or everyone's (a manager's key)")),
    KeyBinding("claim", "c", "pool", N_("Take the highlighted customer as yours, after a yes")),
    KeyBinding("assign", "a", "pool", N_("Give the highlighted customer to a rep (a manager's key)")),
    KeyBinding("deleted", "u", "pool", N_("List the team's deleted customers to restore one (a manager's key)")),
    KeyBinding("reload", "r", "pool", N_("Read the list again")),
    KeyBinding("down", "j", "pool", N_("Move down the list")),
    KeyBinding("up", "k", "pool", N_("Move up the list")),
    KeyBinding("back", "escape", "pool", N_("Back to the previous screen")),
    KeyBinding("down", "j", "deleted customers", N_("Move down the list")),
    KeyBinding("up", "k", "deleted customers", N_("Move up the list")),
    KeyBinding("back", "escape", "deleted customers", N_("Back to the previous screen")),
    KeyBinding("down", "j", "history", N_("Move down the list")),
    KeyBinding("up", "k", "history", N_("Move up the list")),
    KeyBinding("back", "escape", "history", N_("Back to the previous screen")),
    KeyBinding("claim-pool-customer", "c", "pool customer", N_("Take this customer as yours, after a yes")),
    KeyBinding("assign-pool-customer", "a", "pool customer", N_("Give this customer to a rep (a manager's key)")),
    KeyBinding("back", "escape", "pool customer", N_("Back to the previous screen")),
    KeyBinding("cancel-release", "escape", "release reason", N_("Keep the customer; nothing is released")),
    KeyBinding("back", "escape", "conflicts", N_("Back to the previous screen")),
    KeyBinding("down", "j", "conflicts", N_("Move down the list")),
    KeyBinding("up", "k", "conflicts", N_("Move up the list")),
    KeyBinding("dismiss", "d", "conflicts", N_("Forget the highlighted refused change")),
    KeyBinding("dismiss-all", "D", "conflicts", N_("Forget every refused change, after a yes")),
    KeyBinding("next-report", "right", "reports", N_("Show the next report")),
    KeyBinding("previous-report", "left", "reports", N_("Show the previous report")),
    KeyBinding("report-table-right", "shift+right", "reports", N_("Scroll a table wider than the screen to the right")),
    KeyBinding("report-table-left", "shift+left", "reports", N_("Scroll a table wider than the screen to the left")),
    *(KeyBinding(f"report-{n}", str(n), "reports", N_("Show the report of that tab (1 the first)")) for n in range(1, 9)),
    KeyBinding("period", "P", "reports", N_("Choose the period: this month, 2026Q3, 2026-04, FROM..TO")),
    KeyBinding("rep-reports", "at", "reports", N_("Show one rep's figures, or everyone's")),
    KeyBinding("report-records", "enter", "reports", N_("List the records behind the highlighted number")),
    KeyBinding("apply-tier", "a", "reports", N_("Give the highlighted customer its suggested tier")),
    KeyBinding("apply-all-tiers", "A", "reports", N_("Give every customer listed its suggested tier, after a yes")),
    KeyBinding("reload-report", "r", "reports", N_("Compute the report again")),
    KeyBinding("back", "escape", "reports", N_("Back to the previous screen")),
    KeyBinding("down", "j", "report records", N_("Move down the list")),
    KeyBinding("up", "k", "report records", N_("Move up the list")),
    KeyBinding("back", "escape", "report records", N_("Back to the previous screen")),
    KeyBinding("cancel-period", "escape", "period", N_("Close; the period stays as it was")),
    KeyBinding("open-ticket", "enter", "tickets", N_("Open the highlighted ticket with its history")),
    KeyBinding("new-ticket", "n", "tickets", N_("Open a new ticket for a customer")),
    KeyBinding("note-ticket", "a", "tickets", N_("Add a note to the ticket's history")),
    KeyBinding("status-ticket", "s", "tickets", N_("Move the ticket on: in progress, waiting, resolved, closed")),
    KeyBinding("close-ticket", "c", "tickets", N_("Close the ticket: the resolution, then the satisfaction")),
    KeyBinding("priority-ticket", "P", "tickets", N_("Change the ticket's priority: its deadlines follow")),
    KeyBinding("promise-ticket", "d", "tickets", N_("Set the day promised to the customer (empty: none)")),
    KeyBinding("filter-tickets", "f", "tickets", N_("Show the tickets not closed, of one status, or all")),
    KeyBinding("down", "j", "tickets", N_("Move down the list")),
    KeyBinding("up", "k", "tickets", N_("Move up the list")),
    KeyBinding("reload", "r", "tickets", N_("Read the list again")),
    KeyBinding("back", "escape", "tickets", N_("Back to the previous screen")),
    KeyBinding("note-ticket", "a", "ticket", N_("Add a note to the ticket's history")),
    KeyBinding("status-ticket", "s", "ticket", N_("Move the ticket on: in progress, waiting, resolved, closed")),
    KeyBinding("close-ticket", "c", "ticket", N_("Close the ticket: the resolution, then the satisfaction")),
    KeyBinding("priority-ticket", "P", "ticket", N_("Change the ticket's priority: its deadlines follow")),
    KeyBinding("promise-ticket", "d", "ticket", N_("Set the day promised to the customer (empty: none)")),
    KeyBinding("down", "j", "ticket", N_("Move down the list")),
    KeyBinding("up", "k", "ticket", N_("Move up the list")),
    KeyBinding("back", "escape", "ticket", N_("Back to the previous screen")),
    KeyBinding("save-ticket", "ctrl+s", "new ticket", N_("Open the ticket (the form says what is wrong)")),
    KeyBinding("cancel-ticket", "escape", "new ticket", N_("Close; no ticket is opened")),
    KeyBinding("cancel-text", "escape", "ticket text", N_("Close; nothing is saved")),
    KeyBinding("save", "ctrl+s", "follow-up form", N_("Save the follow-up (the form says what is still missing)")),
    # One id, two dialogs: the text suits both (a tooltip is looked up by id).
    KeyBinding("cancel", "escape", "follow-up form", N_("Close without saving anything")),
    *(KeyBinding(None, key, "follow-up form", N_("Pick the channel")) for key in "1234567"),
    KeyBinding(None, "y", "follow-up form", N_("Goal met: yes / no")),
    KeyBinding(None, "n", "follow-up form", N_("Goal met: yes / no")),
    KeyBinding(None, "tab", "follow-up form", N_("Next field")),
    KeyBinding(None, "shift+tab", "follow-up form", N_("Previous field")),
    KeyBinding(None, "enter", "follow-up form", N_("Next field; on the date, save")),
    KeyBinding("save-new", "ctrl+s", "new record", N_("Add the record (a duplicate is shown first)")),
    KeyBinding("open-existing", "ctrl+o", "new record", N_("Open the existing record the form found instead of adding a duplicate")),
    KeyBinding("cancel-new", "escape", "new record", N_("Close without saving (asks first when something was typed)")),
    KeyBinding("save-gate", "ctrl+s", "stage gate", N_("Save what the stage needs and move the deal")),
    KeyBinding("cancel-gate", "escape", "stage gate", N_("Close; the deal stays where it was")),
    KeyBinding("cancel-stage", "escape", "stage picker", N_("Close; the deal stays where it was")),
    KeyBinding("save-convert", "ctrl+s", "convert", N_("Make the lead a customer")),
    KeyBinding("cancel-convert", "escape", "convert", N_("Close; the lead stays a lead")),
    KeyBinding("save-revisit", "ctrl+s", "revisit change", N_("Move or drop the revisit")),
    KeyBinding("save-service", "ctrl+s", "contract service", N_("Save the contract's service cycle and warranty")),
    KeyBinding("cancel-service", "escape", "contract service", N_("Close; the contract stays as it was (asks first when changed)")),
    KeyBinding("cancel-revisit", "escape", "revisit change", N_("Close; the revisit stays as it was (asks first when something was typed)")),
    KeyBinding("save-paid", "ctrl+s", "paid date", N_("Mark the instalment paid on this day")),
    KeyBinding("cancel-paid", "escape", "paid date", N_("Close; nothing is marked paid")),
    KeyBinding("yes", "y", "confirm", N_("Yes, do it")),
    KeyBinding("no", "n", "confirm", N_("No, leave everything as it is")),
    KeyBinding(None, "escape", "confirm", N_("No, leave everything as it is")),
    KeyBinding("cancel", "escape", "pick", N_("Close without saving anything")),
    KeyBinding("back-edit", "escape", "edit", N_("Stop editing this field, or close")),
    KeyBinding("close-help", "escape,question_mark,q", "help", N_("Close this list")),
    KeyBinding("close-merge", "escape", "merge", N_("Close; nothing is merged")),
    KeyBinding("save-import", "ctrl+s", "import", N_("Import the file read (its dry run is shown first)")),
    KeyBinding("close-import", "escape", "import", N_("Close; while importing, asks first (nothing is stored)")),
    KeyBinding("close-search", "escape", "search", N_("Close the search")),
    KeyBinding(None, "down", "search", N_("Move from the query into the results")),
)

IDS: frozenset[str] = frozenset(b.id for b in BINDINGS if b.id)


def _tooltips() -> dict[tuple[str | None, str | None], str]:
    """Tooltips by (id, None), and by (None, key) for the fixed keys that have no id ("1" of the follow-up form)."""
    tips: dict[tuple[str | None, str | None], str] = {}
    for binding in BINDINGS:
        for name in [(binding.id, None)] if binding.id else [(None, key) for key in binding.keys.split(",")]:
            tips.setdefault(name, binding.tooltip)
    return tips


_TOOLTIPS = _tooltips()


def tooltip_of(binding_id: str | None, key: str) -> str:
    """The registry's tooltip (English) for a binding: by its id, which stays when the rep remaps the key
    (one id on two screens, Back or Cancel, has one text); a fixed key without an id by the key itself."""
    return _TOOLTIPS.get((binding_id, None) if binding_id else (None, key), "")

KEPT = ("up", "down", "left", "right", "home", "end", "pageup", "pagedown", "tab", "shift+tab", "ctrl+p", "ctrl+c",
        "ctrl+q")
"""Keys no action may take: moving in lists and between fields, the command palette, copy and quit."""

_KEY = re.compile(r"(?:(?:ctrl|shift|alt|meta|super|hyper)\+)*(?:[a-z][a-z0-9_]*|[A-Z]|[0-9])|[^\s,+]")
"""A key as Textual names it ("l", "E", "ctrl+l", "f5", "slash") or a single printable character ("/")."""


def bad_key(keys: str) -> str | None:
    """The first key of a comma-separated list that is no key name or is kept for the app, else None."""
    for key in keys.split(","):
        key = key.strip()
        if not _KEY.fullmatch(key) or _NAMES.get(key, key) in KEPT:
            return key
    return None

_NAMES = {"/": "slash", "?": "question_mark", "$": "dollar_sign"}
"""Characters a rep may write in [keys] and the key names Textual uses for them."""


def key_names(keys: str) -> list[str]:
    """The keys of a comma-separated list, in Textual's names ("/" is "slash")."""
    names = []
    for key in keys.split(","):
        key = key.strip()
        names.append(_NAMES.get(key, key))
    return names


def clash(remapped: dict[str, str]) -> tuple[str, str, str] | None:
    """(key, id, other id) for the first key the remapping binds to two actions on one screen, else None.

    Two bindings meet when they share a scope or one of them applies everywhere; only pairs where at
    least one side was remapped count (a dialog's own Escape over the app's is by design).
    """
    bound: list[tuple[str | None, str, str, bool]] = []
    for binding in BINDINGS:
        changed = binding.id in remapped
        for key in key_names(remapped[binding.id] if changed else binding.keys):
            bound.append((binding.id, key, binding.scope, changed))
    for index, (first_id, key, scope, first_changed) in enumerate(bound):
        for other_id, other_key, other_scope, other_changed in bound[index + 1:]:
            if key != other_key or first_id == other_id or not (first_changed or other_changed):
                continue
            if scope == other_scope or APP in (scope, other_scope):
                return key, first_id or "", other_id or other_scope
    return None
