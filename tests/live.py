"""Pulling from the Railway emulator the way the command line does: flags plus the
environment (the tests set RAILWAY_API_TOKEN through monkeypatch) become LiveSettings."""

from __future__ import annotations

from auditor.cli.live import LiveFlags, live_settings
from auditor.core.source import Source
from providers.railway import RAILWAY, pull_source


def railway_pull(flags: LiveFlags) -> Source:
    return pull_source(live_settings(RAILWAY, flags))
