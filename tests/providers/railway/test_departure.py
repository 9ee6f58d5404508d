"""When the pull's requests leave: a page's first batch goes out before the page's last project
is flattened, the projects page goes out before the shared-projects query's thread has run, and
work that must not hold back the first request waits until it has left. The result is the
same either way (test_streaming.py); these check the order itself, which is what the speed
comes from."""

from __future__ import annotations

import threading

import pytest

from providers.railway import queries as Q
from providers.railway.client import RailwayClient
from providers.railway.emulator import EmulatorServer, generate_account, incident_account
from providers.railway.pull import Puller, PullSettings, in_bare_thread

#: a hang guard for waiting on another thread, never a timing assertion
HANG = 30.0


def test_work_waiting_for_the_first_request_runs_once_it_has_left() -> None:
    acct = incident_account()
    ran = threading.Event()
    with EmulatorServer(acct) as srv, RailwayClient(srv.url, acct.token) as client:
        client.when_first_sent(ran.set)
        assert not ran.is_set() and not client.first_sent.is_set()
        client.execute(Q.ME)
        assert ran.wait(HANG)
        again = threading.Event()
        client.when_first_sent(again.set)  # once the first request is out: at once
        assert again.wait(HANG)


def test_work_in_a_bare_thread_hands_back_its_result_or_its_error() -> None:
    assert in_bare_thread(lambda: 42).result(HANG) == 42

    def fails() -> None:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        in_bare_thread(fails).result(HANG)


def test_the_first_batch_leaves_before_the_page_is_flattened() -> None:
    # 10 projects × 2 environments × 10 volumes: 400 volume-instance items, so one full batch
    # of 300 fills while the page's projects are being flattened
    acct = generate_account(7, projects=10, environments=2, volumes=10)
    submitted_when_flattened: list[int] = []

    class Watching(Puller):
        def complete_project(self, p, outline=False):
            with self._lock:
                submitted_when_flattened.append(self._submitted)
            return super().complete_project(p, outline)

    with EmulatorServer(acct) as srv, RailwayClient(srv.url, acct.token) as client:
        raw = Watching(client, PullSettings()).run("account")
    assert not raw.gaps and raw.stats["requests"] == raw.stats["requests_minimum"]
    assert len(submitted_when_flattened) == 10
    assert submitted_when_flattened[0] == 0
    assert submitted_when_flattened[-1] >= 1, "every batch waited for the whole page"
