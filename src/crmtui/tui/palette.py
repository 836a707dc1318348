"""The command palette (Ctrl+P): the app's and the screen's actions by name, customers and deals by name or
pinyin (Enter opens the customer), then Textual's own commands (theme, keys, screenshot, quit).

One provider yields all of them, so their order is crmtui's: the palette sorts hits by score, and the scores
are banded so that an action whose name holds what was typed comes first, then customers and deals, then loose
(fuzzy) matches of actions, and Textual's commands last."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.markup import escape

from crmtui.core.i18n import _

if TYPE_CHECKING:
    from textual.fuzzy import Matcher

    from crmtui.services.context import Context
    from crmtui.services.search import SearchHit
    from crmtui.tui.app import CrmApp

TEXTUALS, LOOSE_ACTION, RECORD, ACTION = range(4)
"""The bands of the palette's order, last to first."""

RECORD_KINDS = ("customer", "deal")
"""What the palette finds besides actions (a deal opens its customer)."""

MAX_RECORDS = 20
"""Enough to pick from; a longer name or more pinyin narrows it."""


def ranked(band: int, score: float) -> float:
    """A hit's score within its band: any score of a higher band beats every score of a lower one."""
    return band + score / (score + 1) if score > 0 else band


def _declared_by_crmtui(node: DOMNode, binding: Binding) -> bool:
    """Whether one of crmtui's classes in the node's ancestry declares the binding (by its id, which a remapped
    key keeps, else by its key): Textual's widgets and its App class declare the others (its ctrl+q runs the
    same action as the app's q)."""
    def same(declared: object) -> bool:
        return isinstance(declared, Binding) and declared.action == binding.action and (
            declared.id == binding.id if binding.id else binding.key in declared.key.split(","))

    return any(cls.__module__.startswith("crmtui.") and any(same(declared) for declared in cls.__dict__.get("BINDINGS", ()))
               for cls in type(node).__mro__)


def _search_service() -> Callable[..., list[SearchHit]]:
    # deferred: the search service brings SQLModel and SQLAlchemy's ORM (about 3 s on a loaded 2-core machine
    # when nothing has loaded them yet), paid in a thread once the palette opens, not at launch
    from crmtui.services.search import search_kinds

    return search_kinds


def open_import(app: CrmApp) -> None:
    """Opens Import… over the current screen."""
    # deferred: the import dialog is loaded when it is picked, not with the palette
    from crmtui.tui.dialogs.import_file import open_import as open_dialog

    open_dialog(app)


def find_records(ctx: Context, query: str) -> list[SearchHit]:
    """Customers, then deals, whose name (or pinyin) matches; run in a thread, never on the event loop."""
    return _search_service()(ctx, query, RECORD_KINDS, MAX_RECORDS)


class CrmCommands(Provider):
    """Every binding of the app and the current screen by its description, customers and deals, then Textual's
    own commands."""

    _loading: asyncio.Task[object] | None = None

    @property
    def crm(self) -> CrmApp:
        return cast("CrmApp", self.app)

    async def startup(self) -> None:
        """Loads the search service in a thread as the palette opens: the first customer typed is then found
        without waiting for it (the palette's actions need nothing of it)."""
        self._loading = asyncio.create_task(asyncio.to_thread(_search_service))

    def _actions(self) -> Iterable[tuple[str, str, DOMNode, str, bool]]:
        """(label, key, node, action, whether crmtui declares it): crmtui's first; Textual's own (Copy selected
        text, Scroll Left...) after them, each action once."""
        seen = set()
        # self.screen is the screen the palette was opened on (the app's current screen is the palette itself)
        actives = [active for active in self.screen.active_bindings.values() if active.binding.description]
        ours = [active for active in actives if _declared_by_crmtui(active.node, active.binding)]
        for active in [*ours, *(active for active in actives if active not in ours)]:
            binding = active.binding
            if binding.action in seen:
                continue
            seen.add(binding.action)
            key = binding.key_display or self.app.get_key_display(binding)
            yield binding.description, key, active.node, binding.action, active in ours

    def _textuals(self) -> Iterable[tuple[str, str, Callable[[], object], bool]]:
        """Textual's commands, but for those that run one of the app's actions (its Quit is the app's q)."""
        ours = {f"action_{action}" for _label, _key, _node, action, _crmtuis in self._actions()}
        for command in self.app.get_system_commands(self.screen):
            if getattr(command.callback, "__name__", "") not in ours:
                yield command.title, command.help, command.callback, command.discover

    def _import_elsewhere(self) -> bool:
        """Import… is offered on every screen: by Today's binding there, by the palette itself elsewhere."""
        return all(action != "import_file" for _label, _key, _node, action, _crmtuis in self._actions())

    async def discover(self) -> Hits:
        for label, key, node, action, _crmtuis in self._actions():
            yield DiscoveryHit(label, partial(self.app.run_action, action, node), help=key)
        if self._import_elsewhere():
            yield DiscoveryHit(_("Import…"), partial(open_import, self.crm))
        for title, help_text, callback, shown in self._textuals():
            if shown:
                yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, key, node, action, crmtuis in self._actions():
            if (score := matcher.match(label)) > 0:
                band = TEXTUALS if not crmtuis else ACTION if query.casefold() in label.casefold() else LOOSE_ACTION
                yield Hit(ranked(band, score), matcher.highlight(label), partial(self.app.run_action, action, node), help=key)
        if self._import_elsewhere() and (score := matcher.match(_("Import…"))) > 0:
            band = ACTION if query.casefold() in _("Import…").casefold() else LOOSE_ACTION
            yield Hit(ranked(band, score), matcher.highlight(_("Import…")), partial(open_import, self.crm))
        for title, help_text, callback, _shown in self._textuals():
            if (score := matcher.match(title)) > 0:
                yield Hit(ranked(TEXTUALS, score), matcher.highlight(title), callback, help=help_text)
        records = await asyncio.to_thread(find_records, self.crm.ctx, query)
        for index, record in enumerate(records):
            yield self._record_hit(partial(_highlight_literally, matcher), record, 1 / (index + 1))

    def _record_hit(self, highlight: Callable[[str], Content], record: SearchHit, score: float) -> Hit:
        """A customer or a deal, kept in the search's order (customers first); the line under it says what it
        is, and for a deal whose it is. User data is never read as markup."""
        name = record.customer_name if record.kind == "customer" else record.detail
        about = [record.label(), record.detail] if record.kind == "customer" else [record.label(), record.customer_name]
        deal = record.record_id if record.kind == "deal" else None
        return Hit(ranked(RECORD, score), highlight(name), partial(self.crm.open_customer, record.customer_id, deal),
                   text=name, help=escape(" · ".join(part for part in about if part)))


def _highlight_literally(matcher: Matcher, text: str) -> Content:
    """A record's name with the typed letters highlighted, read as plain text: Textual's own highlight reads
    it as markup, which swallows "[HK]" in "Omega Trading [HK]" and drops a name with "[/x]" altogether."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if not score:
        return content
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
