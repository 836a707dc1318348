"""Puts a child process of the test suite on the suite's clock.

The suite runs every test at a fixed moment; a `crm` started in a child process would otherwise read
the real clock, and a test that passes on one day would fail on the next. `tests/conftest.py` puts this
folder first on the child's PYTHONPATH and names the moment in CRMTUI_TEST_NOW (ISO 8601); Python imports
`sitecustomize` at start-up, so the child's clock starts at that moment and runs on from there
(tick: a running app needs time to pass).
"""

import os

_moment = os.environ.get("CRMTUI_TEST_NOW")
if _moment:
    from datetime import datetime

    import time_machine

    _travel = time_machine.travel(datetime.fromisoformat(_moment), tick=True)
    _travel.start()
