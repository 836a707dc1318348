"""The errors the services raise; the CLI and the TUI turn them into messages, never tracebacks.

`str(error)` is English (logs, tests); `error.message()` is the same text in the chosen language:
the texts are msgid templates filled with their values only when shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crmtui.core import fields, i18n, labels
from crmtui.core.fields import Field


def _t(template: str, **values: object) -> str:
    """A template in the chosen language, filled."""
    return i18n._(template).format(**values) if values else i18n._(template)


class CrmError(Exception):
    """Base of every expected failure: the message is meant for the user.

    `CrmError("restore failed ({error})", error=exc)`: a template (extracted for the catalog) and its values.
    """

    def __init__(self, template: str = "", **values: object) -> None:
        self.template = template
        self.template_values = values
        super().__init__(template.format(**values) if values else template)

    def message(self) -> str:
        """The message in the chosen language (English is `str(self)`; texts not in the catalog stay English)."""
        return str(self) if i18n.language == "en" else self._localized()

    def labelled(self) -> str:
        """The message as a form says it: every field named by its label in the chosen language ("Contract
        no."), where the English command line names it as its option does ("contract-no")."""
        return self._localized()

    def _localized(self) -> str:
        return _t(self.template, **self.template_values)


class InvalidInput(CrmError):
    """A field's value is missing or wrong: names the field (`field` is its key, core/fields.py) and what is
    expected."""

    def __init__(self, field: str | Field, expected: str, value: object = None, **values: object) -> None:
        self.field = fields.key(field)
        self.expected = expected
        self.values = values
        self.value = value
        self.shown = isinstance(value, str | int | float) and not isinstance(value, bool) and len(str(value)) <= 60
        text = expected.format(**values) if values else expected
        super().__init__(f"{fields.get(field).name}: {text}" + (f' (got "{value}")' if self.shown else ""))

    def _localized(self) -> str:
        text = _t("{field}: {expected}", field=fields.label(self.field), expected=_t(self.expected, **self.values))
        return text + (_t(' (got "{value}")', value=self.value) if self.shown else "")


class InvalidValues(InvalidInput):
    """Several values refused at once (a new ticket's type, priority and promised day; a contract's service cycle
    and warranty): `problems` each name their field and what it takes, in the order of the form or the options. It
    reads as the first problem for whoever looks at one field (`field`, `expected`); its message says them all, one
    a line."""

    def __init__(self, problems: list[InvalidInput]) -> None:
        first = problems[0]
        CrmError.__init__(self, "\n".join(str(problem) for problem in problems))
        self.problems = problems
        self.field, self.expected, self.values, self.value = first.field, first.expected, first.values, first.value
        self.shown = first.shown

    def message(self) -> str:
        return "\n".join(problem.message() for problem in self.problems)

    def _localized(self) -> str:
        return "\n".join(problem.labelled() for problem in self.problems)

    @staticmethod
    def settle(problems: list[InvalidInput]) -> None:
        """Raises what was refused: the one refusal as it is, or all of them together; nothing for none."""
        if len(problems) == 1:
            raise problems[0]
        if problems:
            raise InvalidValues(problems)


class MissingFields(CrmError):
    """Several required fields are missing at once (a follow-up, a stage gate): `fields` are their keys, each front
    end words them (core/fields.py)."""

    def __init__(self, missing: Sequence[str | Field], what: str, **values: object) -> None:
        self.fields = [fields.key(field) for field in missing]
        self.what = what
        self.values = values
        names = ", ".join(fields.get(field).missing_name for field in self.fields)
        super().__init__(f"{what.format(**values)} needs: {names}")

    def _localized(self) -> str:
        return _t("{what} needs: {fields}", what=_t(self.what, **self.values),
                  fields=", ".join(fields.get(field).shown_missing() for field in self.fields))


class NotFound(CrmError):
    """No record matches what the user typed."""

    def __init__(self, kind: str, ref: str) -> None:
        self.kind = kind
        self.ref = ref
        super().__init__(f'no {kind} matches "{ref}"')

    def _localized(self) -> str:
        return _t('no {kind} matches "{ref}"', kind=labels.kind(self.kind), ref=self.ref)


@dataclass
class Match:
    """One candidate of an ambiguous reference."""

    id: str
    label: str


class Ambiguous(CrmError):
    """A reference matches several records; the user must be more precise."""

    def __init__(self, kind: str, ref: str, matches: list[Match], advice: str | None = None) -> None:
        self.kind = kind
        self.ref = ref
        self.matches = matches
        self.advice = advice
        """How to say which, where it is not "more of the name or the id" (a template of the catalog)."""
        super().__init__(f'"{ref}" matches {len(matches)} {kind}s; {advice or "use more of the name or the id"}')

    def _localized(self) -> str:
        if self.advice:
            return _t('"{ref}" matches {count} {kind} records; {advice}', ref=self.ref, count=len(self.matches),
                      kind=labels.kind(self.kind), advice=_t(self.advice))
        return _t('"{ref}" matches {count} {kind} records; use more of the name or the id', ref=self.ref,
                  count=len(self.matches), kind=labels.kind(self.kind))


class DuplicateFound(CrmError):
    """An add would create a record that already exists (same phone, email or name)."""

    def __init__(self, reason: str, existing_id: str, existing_name: str, kind: str = "customer") -> None:
        self.reason = reason
        self.existing_id = existing_id
        self.existing_name = existing_name
        self.kind = kind
        super().__init__(
            f'a {kind} with the same {reason} exists: "{existing_name}" ({existing_id[:8]});'
            " use --force to add anyway, or merge them"
        )

    def _localized(self) -> str:
        return _t('a {kind} with the same {reason} exists: "{name}" ({id}); use --force to add anyway, or merge them',
                  kind=labels.kind(self.kind), reason=fields.label(self.reason), name=self.existing_name, id=self.existing_id[:8])


class NotAllowed(CrmError):
    """The action breaks a rule of the domain (e.g. a follow-up on a deleted customer)."""


class TeamDuplicate(NotAllowed):
    """In a team, a customer with the same phone, email or name is on the server, held by another rep or in the
    pool: `holder` is "pool" or "colleague", `owner` the holder's name (told to managers only)."""

    def __init__(self, reason: str, holder: str, owner: str | None) -> None:
        self.reason = reason
        self.holder = holder
        self.owner = owner
        if holder == "pool":
            super().__init__("a customer with the same {reason} is in the team's pool: claim it with `crm pool claim`,"
                             " or use --force to add anyway", reason=_reason(reason))
        elif owner:
            super().__init__("a customer with the same {reason} is on the team server, held by {owner}; use --force"
                             " to add anyway", reason=_reason(reason), owner=owner)
        else:
            super().__init__("a customer with the same {reason} is on the team server, held by a colleague; use"
                             " --force to add anyway", reason=_reason(reason))


def _reason(key: str) -> object:
    """A duplicate's reason (phone, email, name): the key in English, its label in other languages, chosen when
    the message is shown."""
    return labels.Shown(lambda name: name if i18n.language == "en" else fields.label(name), key)


class Offline(CrmError):
    """The team server cannot be reached; local work is unaffected."""


class ServerRefused(NotAllowed):
    """A rule on the team server refused the action (claim limit, not yours, ...); `key` says which."""

    def __init__(self, key: str, template: str, **values: object) -> None:
        self.key = key
        super().__init__(template, **values)
