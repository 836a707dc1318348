"""The errors the services raise; the CLI and the TUI turn them into messages, never tracebacks."""

from __future__ import annotations

from dataclasses import dataclass


class CrmError(Exception):
    """Base of every expected failure: the message is meant for the user."""


class InvalidInput(CrmError):
    """A field's value is missing or wrong: names the field and what is expected."""

    def __init__(self, field_name: str, expected: str, value: object = None) -> None:
        self.field = field_name
        self.expected = expected
        self.value = value
        shown = ""
        if isinstance(value, str | int | float) and not isinstance(value, bool) and len(str(value)) <= 60:
            shown = f' (got "{value}")'
        super().__init__(f"{field_name}: {expected}{shown}")


class MissingFields(CrmError):
    """Several required fields are missing at once (a follow-up, a stage gate)."""

    def __init__(self, fields: list[str], what: str) -> None:
        self.fields = fields
        super().__init__(f"{what} needs: {', '.join(fields)}")


class NotFound(CrmError):
    """No record matches what the user typed."""

    def __init__(self, kind: str, ref: str) -> None:
        self.kind = kind
        self.ref = ref
        super().__init__(f'no {kind} matches "{ref}"')


@dataclass
class Match:
    """One candidate of an ambiguous reference."""

    id: str
    label: str


class Ambiguous(CrmError):
    """A reference matches several records; the user must be more precise."""

    def __init__(self, kind: str, ref: str, matches: list[Match]) -> None:
        self.kind = kind
        self.ref = ref
        self.matches = matches
        super().__init__(f'"{ref}" matches {len(matches)} {kind}s; use more of the name or the id')


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


class NotAllowed(CrmError):
    """The action breaks a rule of the domain (e.g. a follow-up on a deleted customer)."""

