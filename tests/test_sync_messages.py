"""What a rep reads when sync cannot start: a clock off the server's said in days, hours and minutes, and every
way a connection fails said in our words (so in the rep's language), never libpq's English FATAL text; against
the real PostgreSQL where the case can be produced."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crmtui.core.config import SyncSettings
from crmtui.core.errors import CrmError, NotAllowed, Offline
from crmtui.server import admin
from crmtui.sync import client as sync
from crmtui.sync.connection import LoginRefused, connect, connection_refused, store_password

from .teamserver import Team

LIBPQ_WORDS = ("FATAL", "connection failed", "connection to server", "password authentication failed",
               "Connection refused", "does not exist")


# The clock ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("offset", "said"), [
    (timedelta(minutes=7), "7 min"),
    (timedelta(minutes=-10), "10 min"),
    (timedelta(minutes=9, seconds=59), "10 min"),  # to the nearest minute
    (timedelta(hours=2), "2 h"),
    (timedelta(hours=3, minutes=20), "3 h"),
    (timedelta(hours=-23, minutes=-59), "23 h"),
    (timedelta(days=1), "1 d"),
    (timedelta(days=1, hours=4, minutes=10), "1 d 4 h"),
    (timedelta(days=2, hours=1), "2 d 1 h"),
    (timedelta(minutes=12960), "9 d"),       # the trial's "12960 min"
    (timedelta(days=9, hours=13), "10 d"),   # from three days on, to the nearest day
])
def test_a_clock_gap_is_said_in_days_hours_and_minutes(offset: timedelta, said: str) -> None:
    # The refusal says the gap as Today says the time left: one way to say a span in the app.
    assert sync._gap(offset) == said


def test_a_clock_days_ahead_or_hours_behind_is_refused_in_those_units(team: Team) -> None:
    from tests.conftest import NOW

    ann = team.add_rep("ann")
    team.set_server_clock(NOW - timedelta(minutes=12960))  # the laptop runs 9 days ahead
    with pytest.raises(NotAllowed) as refused:
        sync.sync_round(ann)
    assert str(refused.value) == ("this computer's clock is 9 d ahead of the server's; set the clock right,"
                                  " then sync")
    team.set_server_clock(NOW + timedelta(hours=3, minutes=20))
    with pytest.raises(NotAllowed) as refused:
        sync.sync_round(ann)
    assert "clock is 3 h behind the server's" in str(refused.value)


# Connections ------------------------------------------------------------------------------------------

def _refusal(sync_settings: SyncSettings, password: str | None = None) -> CrmError:
    with pytest.raises(CrmError) as failed:
        with connect(sync_settings, password):
            pass
    return failed.value


def _ours(error: CrmError) -> str:
    """The message, checked to hold none of libpq's words (the rep reads it in their language)."""
    text = str(error)
    assert "\n" not in text and not any(word in text for word in LIBPQ_WORDS), text
    return text


def test_a_wrong_password_typed_or_stored_is_said_in_our_words(team: Team) -> None:
    team.add_rep("wang")
    settings = SyncSettings(server=team.server_url, user=team.role("wang"))
    typed = _refusal(settings, "not-the-password")
    assert isinstance(typed, LoginRefused) and typed.why == "password"
    assert _ours(typed).startswith(f"the team server refused the password for {team.role('wang')}:")
    store_password(settings, "an-old-password")
    stored = _refusal(settings)
    assert isinstance(stored, LoginRefused) and stored.why == "password"
    assert _ours(stored) == (f"the team server refused the password stored for {team.role('wang')}; if your admin"
                             " gave you a new password, run `crm sync setup` again")
    assert "password authentication failed" in stored.detail  # libpq's text, kept for the log


def test_a_removed_rep_is_told_the_login_was_disabled(team: Team) -> None:
    team.add_rep("wang")
    admin.remove_rep(team.dsn, team.role("wang"))
    refused = _refusal(SyncSettings(server=team.server_url, user=team.role("wang")), team.passwords["wang"])
    assert isinstance(refused, LoginRefused) and refused.why == "disabled"
    assert "ask your team's admin" in _ours(refused)


def test_a_server_not_listening_is_offline_naming_where(team: Team) -> None:
    refused = _refusal(SyncSettings(server=f"postgresql://127.0.0.1:1/{team.database}", user="wang"), "pw")
    assert isinstance(refused, Offline)
    assert _ours(refused) == ("cannot reach the team server: 127.0.0.1:1 refused the connection (PostgreSQL is not"
                              " running there, or listens on another port)")


def test_a_database_that_is_not_there_is_an_error_not_offline(team: Team) -> None:
    team.add_rep("wang")
    server = f"postgresql://{team.cluster.host}:{team.cluster.port}/nosuchteam"
    refused = _refusal(SyncSettings(server=server, user=team.role("wang")), team.passwords["wang"])
    assert isinstance(refused, NotAllowed) and not isinstance(refused, Offline)
    assert _ours(refused) == (f"the team server {team.cluster.host}:{team.cluster.port} has no database nosuchteam:"
                              " check the server URL (`crm sync setup`) or ask your admin")


def test_tls_asked_of_a_server_without_it_is_said_in_our_words(team: Team) -> None:
    team.add_rep("wang")
    settings = SyncSettings(server=f"{team.server_url}?sslmode=require", user=team.role("wang"))
    refused = _refusal(settings, team.passwords["wang"])
    assert _ours(refused).startswith("the team server does not offer TLS")


@pytest.mark.parametrize(("libpq", "ours"), [
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: timeout expired',
     "cannot reach the team server: db.example.com:5432 did not answer within 5 s"),
    ("failed to resolve host 'db.example.com': [Errno -2] Name or service not known",
     "cannot reach the team server: the name db.example.com cannot be found (check the network, or the server"
     " URL)"),
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: Network is unreachable',
     "cannot reach the team server: no network route to db.example.com:5432 (check the network)"),
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: FATAL:  sorry, too many clients'
     ' already', "cannot reach the team server: db.example.com:5432 has no free connection now; try again in a"
     " moment"),
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: FATAL:  the database system is'
     ' starting up', "cannot reach the team server: db.example.com:5432 is restarting; try again in a moment"),
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: FATAL:  no pg_hba.conf entry for'
     ' host "10.1.2.3", user "wang", database "team", no encryption',
     "the team server db.example.com:5432 accepts no unencrypted connection from this computer to the database"
     " team: check the database name in the server URL; if it is right, run `crm sync setup` again without"
     " --insecure (ask your admin for the server's certificate if this computer does not trust it)"),
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: FATAL:  no pg_hba.conf entry for'
     ' host "10.1.2.3", user "wang", database "team", SSL encryption',
     "the team server db.example.com:5432 does not accept wang from this computer's address for the database team:"
     " check the database name in the server URL, or ask your admin"),
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: root certificate file'
     ' "/home/wang/.postgresql/root.crt" does not exist',
     "the team server's TLS certificate cannot be verified (this computer does not trust it, or it is not for"
     " db.example.com); ask your admin for the server's CA certificate (it goes in ~/.postgresql/root.crt)"),
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: FATAL:  role "wang" is not'
     ' permitted to log in', "the login wang was disabled on the team server (the admin removed it from the"
     " team); ask your team's admin"),
])
def test_every_way_a_connection_fails_that_a_rep_can_meet_is_said_in_our_words(libpq: str, ours: str) -> None:
    """Cases the test server cannot produce (no TLS, no network), from libpq's own texts."""
    settings = SyncSettings(server="postgresql://db.example.com/team", user="wang")
    error = connection_refused(libpq, settings, typed=False)
    assert str(error) == ours and error.detail == libpq


def test_a_failure_we_do_not_know_keeps_libpqs_words_in_brackets() -> None:
    settings = SyncSettings(server="postgresql://db.example.com:6543/team", user="wang")
    error = connection_refused("something new went wrong", settings, typed=False)
    assert isinstance(error, Offline)
    assert str(error) == "cannot reach the team server: db.example.com:6543 (something new went wrong)"


def test_a_driver_error_nobody_foresaw_is_told_in_our_words_with_the_server_s_line_as_detail() -> None:
    import psycopg

    failure = sync._unexpected(psycopg.errors.DiskFull("could not extend file \"base/1/2\": No space left on device"
                                                       "\nHINT:  Check free disk space."))
    assert str(failure) == ("the team server could not finish the sync; nothing was lost: sync again, and tell your"
                            " admin if it happens again (the server said: could not extend file \"base/1/2\": No"
                            " space left on device)")  # a server-side failure, though psycopg files it as operational
    broke = sync._unexpected(psycopg.OperationalError("server closed the connection unexpectedly"))
    assert str(broke).startswith("the connection to the team server broke off during the sync; nothing was lost")
    with pytest.raises(KeyError):
        sync._unexpected(KeyError("ours"))  # a bug of ours is never dressed as the server's failure
