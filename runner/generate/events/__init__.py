"""Every built-in capture event; the event registry imports this list (a test checks none is
missing)."""

from __future__ import annotations

from runner.generate.events.base import Event
from runner.generate.events.port_scan import PortScan

ALL: list[Event] = [PortScan()]
