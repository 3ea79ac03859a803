"""Every built-in capture event; the event registry imports this list (a test checks none is
missing)."""

from __future__ import annotations

from runner.generate.events.base import Event
from runner.generate.events.login import Login
from runner.generate.events.ping_sweep import PingSweep
from runner.generate.events.port_scan import PortScan
from runner.generate.events.ssh_bruteforce import SshBruteforce

ALL: list[Event] = [PortScan(), PingSweep(), Login(), SshBruteforce()]
