"""The job that refreshes the calendar file after writes runs in a thread of its own: asked while it runs, it runs
once more; one that fails never leaves wait() (called when a command closes its database) waiting forever."""

from __future__ import annotations

import threading

from crmtui.services.context import BackgroundJob


def test_a_request_made_while_the_job_runs_runs_it_once_more():
    started, release, runs = threading.Event(), threading.Event(), []

    def job() -> None:
        runs.append(len(runs))
        started.set()
        release.wait(5)

    background = BackgroundJob(job)
    background.request()
    assert started.wait(5)
    background.request()
    background.request()  # asked twice meanwhile: one more run
    release.set()
    background.wait()
    assert runs == [0, 1]


def test_a_job_that_fails_while_asked_again_does_not_hang_wait():
    started, release = threading.Event(), threading.Event()
    excepthook, seen = threading.excepthook, []
    threading.excepthook = lambda args: seen.append(args.exc_type)

    def job() -> None:
        started.set()
        release.wait(5)
        raise KeyboardInterrupt  # not an Exception: what the job's own handler lets through

    try:
        background = BackgroundJob(job)
        background.request()
        assert started.wait(5)
        background.request()
        release.set()
        waiter = threading.Thread(target=background.wait)
        waiter.start()
        waiter.join(10)
        assert not waiter.is_alive()
        assert seen == [KeyboardInterrupt]
    finally:
        threading.excepthook = excepthook
