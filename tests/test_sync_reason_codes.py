"""What became of a rejected change's customer, and the advice, follow the server's reason by its code (the
server's fixed text looked up whole), never by words found inside a text."""

from __future__ import annotations

from crmtui.services import team_words
from crmtui.sync.notices import fate
from crmtui.sync.protocol import PUSH_REASONS, SET_ASIDE_REASONS, Rejection, reason_code


def _rejected(reason: str) -> Rejection:
    return Rejection(3, "customer", "c-1", "update", {"region": "深圳"}, reason, "", "Acme Health", None)


def test_each_reason_text_has_its_code_and_its_words() -> None:
    for code, text in (PUSH_REASONS | SET_ASIDE_REASONS).items():
        assert reason_code(text) == code
        assert code in team_words.REASON_WORDS


def test_a_text_that_only_contains_a_known_reason_is_no_reason_of_ours() -> None:
    known = _rejected("the customer is no longer yours")
    assert known.reason_code == "not_yours" and fate(known) == "colleague"
    for text in ("note: the customer is no longer yours", "the customer is no longer yours (since Monday)",
                 "THE CUSTOMER IS NO LONGER YOURS"):
        rejection = _rejected(text)
        assert rejection.reason_code is None and fate(rejection) is None
        assert team_words.advice(rejection) == "make the change again if it is still needed, then dismiss this one"
