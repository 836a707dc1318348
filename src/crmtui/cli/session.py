"""A `crm` command's session: the rep's database opened, every expected error turned into a one-line message and an
exit code, and the customer a reference names.

The services are imported inside the functions (marked `# deferred`): opening the store and the lookup costs
~50 ms, which `crm --help` and a usage error, that never open a session, do not pay.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from crmtui.cli.output import fail
from crmtui.core import fields, paths
from crmtui.core.config import load_settings
from crmtui.core.errors import Ambiguous, CrmError, DuplicateFound, MissingFields, NotFound
from crmtui.core.i18n import _, set_language
from crmtui.core.normalize import visible

if TYPE_CHECKING:
    from crmtui.services.context import Context


EXIT_AMBIGUOUS = 3
"""The exit status when a reference names several records (they are listed); 2 is Click's, for usage errors."""


@contextmanager
def open_session() -> Iterator[Context]:
    """Opens the rep's database and turns every expected error into a message and an exit code."""
    ctx = None
    try:
        settings = load_settings()
        set_language(settings.language)
        from crmtui.services.context import open_context  # deferred

        ctx = open_context(settings=settings, source="cli")
        yield ctx
    except Ambiguous as exc:
        lines = [exc.message()] + [f"  {m.id[:8]}  {m.label}" for m in exc.matches]
        fail("\n".join(lines), EXIT_AMBIGUOUS)
    except MissingFields as exc:
        hints = list(dict.fromkeys(flag for flag in (fields.get(name).flag for name in exc.fields) if flag))
        fail(exc.message() + (" " + _("(give {options})").format(options=", ".join(hints)) if hints else ""))
    except (DuplicateFound, NotFound, CrmError) as exc:
        fail(exc.message())
    except sqlite3.Error as exc:
        fail(storage_failure(exc))
    except OSError as exc:
        fail(storage_failure(exc))
    except Exception as exc:
        # SQLAlchemy wraps the driver's error; a broken or locked file is a message, not a traceback.
        if isinstance(getattr(exc, "orig", None), sqlite3.Error):
            fail(storage_failure(exc.orig))  # type: ignore[attr-defined]
        raise
    finally:
        if ctx is not None:
            ctx.settle()
            for warning in ctx.warnings:  # beside a write that stood, e.g. a calendar file not refreshed
                sys.stderr.write(_("warning: ") + visible(warning) + "\n")
            ctx.close()


def storage_failure(error: sqlite3.Error | OSError) -> str:
    """One line for a database file that could not be read or written: read-only and full disks said as such."""
    from crmtui.services.context import storage_error  # deferred

    try:
        path = paths.database_path()
    except CrmError as exc:
        return exc.message()
    known = storage_error(error, path)
    if known is not None:
        return known.message()
    if isinstance(error, OSError):
        return _("cannot use {path}: {reason} (check CRMTUI_HOME / CRMTUI_DB)").format(
            path=error.filename or _("the data folder"), reason=error.strerror or error)
    return _("the database could not be read or written ({error})").format(error=error)


def find_customer(ctx: Context, ref: str, statuses: tuple[str, ...] | None = None):  # type: ignore[no-untyped-def]
    """The customer a reference names (refused, listing them, when it could mean several)."""
    from crmtui.services.lookup import resolve_customer  # deferred

    return resolve_customer(ctx, ref, statuses)
