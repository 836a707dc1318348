"""Passwords kept out of what is shown: the password fields of connection URLs and strings, masked.

Both the team's admin commands and the sync client show libpq's messages and the URLs a user typed; neither
may show a password.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

_URL_PASSWORD = re.compile(r"(//[^\s\"'/@:]*:)[^\s\"'/]*(?=@)")
"""The password in a URL's user:password@ (the // may follow a mistyped scheme)."""
_BARE_URL_PASSWORD = re.compile(r"""((?:^|(?<=[\s"']))[^\s"'/:@=]+:)(?!//)[^\s"'/]*(?=@)""")
"""The same without a scheme: a DSN typed as user:password@host/team."""
_KEYWORD_PASSWORD = re.compile(r"""(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s'"]*)""", re.IGNORECASE)
"""password=... in a key=value connection string, quoted or not."""


def hide_password(text: str, password: str = "") -> str:
    """`text` with every password field of a URL or connection string in it masked, and any quoted fragment that
    is the password itself (libpq quotes the part of a connection string it cannot read). Only these places:
    masking each occurrence of a short password's text would garble other words (x in db.example.com)."""
    text = _URL_PASSWORD.sub(r"\1***", text)
    text = _BARE_URL_PASSWORD.sub(r"\1***", text)
    text = _KEYWORD_PASSWORD.sub(r"\1***", text)
    if password:
        for form in {password, unquote(password), quote(password, safe="")}:
            for mark in ('"', "'"):
                text = text.replace(f"{mark}{form}{mark}", f"{mark}***{mark}")
                # libpq reads user:p@ss@host as the password p and the host ss@host
                for at in (i for i, char in enumerate(form) if char == "@"):
                    text = text.replace(f"{mark}{form[at + 1:]}@", f"{mark}***@")
    return text
