"""Windows event logs (EVTX) with python-evtx: every event, its data fields, and logons."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from runner.evidence.analyzers.base import Field, KindAnalyzer, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.artifacts.evtxread import LOGON_IDS, EventRecord, read_events

_EVENT = (Field("record", "int", "EventRecordID"), Field("event_id", "int", "EventID"))


@register
class EvtxAnalyzer(KindAnalyzer):
    name = "evtx"
    version = "1"
    description = "Windows event logs: events by id, their data fields, logons 4624/4625"
    kinds = frozenset({"evtx"})
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "events": (
            *_EVENT,
            Field("time", "str", "TimeCreated SystemTime, UTC ISO 8601 with nanoseconds"),
            Field("provider", "str", "Provider Name (Microsoft-Windows-Security-Auditing...)"),
            Field("channel", "str", "Channel (Security, System, ...)"),
            Field("computer", "str", "Computer"),
            Field("level", "int", "Level (0 audit, 1 critical, 2 error, 3 warning, 4 info)"),
            Field("user_sid", "str", "Security UserID ('' when none)"),
            Field("data", "str", "EventData/UserData as name=value pairs, '; ' separated"),
            Field("offset", "int", "byte offset of the record in the file"),
        ),
        "fields": (
            *_EVENT,
            Field("name", "str", "Data Name (Data0, Data1... when unnamed)"),
            Field("value", "str", "its text ('' when empty)"),
        ),
        "logons": (
            *_EVENT,
            Field("time", "str", "UTC ISO 8601 with nanoseconds"),
            Field("outcome", "str", "success (4624), failure (4625), explicit (4648), logoff "
                  "(4634/4647)"),
            Field("account", "str", "TargetUserName"),
            Field("domain", "str", "TargetDomainName"),
            Field("logon_type", "int", "LogonType: 2 interactive, 3 network, 10 remote "
                  "interactive... (-1 when absent)"),
            Field("source_ip", "str", "IpAddress ('' for '-' or none)"),
            Field("source_port", "int", "IpPort (-1 when none)"),
            Field("workstation", "str", "WorkstationName"),
            Field("process", "str", "LogonProcessName"),
            Field("auth_package", "str", "AuthenticationPackageName"),
            Field("status", "str", "failure Status / SubStatus (4625), '' otherwise"),
            Field("logon_id", "str", "TargetLogonId"),
        ),
    }

    def setup(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {t: [] for t in self.tables}

    def run(self, source: Any) -> None:
        path: Path = source
        for event in read_events(path, self._warn):
            self._event(event)

    def _event(self, e: EventRecord) -> None:
        self.rows["events"].append({
            "record": e.record, "event_id": e.event_id, "time": e.time, "provider": e.provider,
            "channel": e.channel, "computer": e.computer, "level": e.level,
            "user_sid": e.user_sid, "offset": e.offset,
            "data": "; ".join(f"{k}={v}" for k, v in e.data.items()),
        })
        for name, value in e.data.items():
            self.rows["fields"].append({"record": e.record, "event_id": e.event_id,
                                        "name": name, "value": value})
        if e.event_id in LOGON_IDS and "Security-Auditing" in e.provider:
            self.rows["logons"].append(_logon(e))

    def finish(self) -> Tables:
        return dict(self.rows)


def _logon(e: EventRecord) -> dict[str, Any]:
    d = {k: "" if v == "-" else v for k, v in e.data.items()}  # Windows writes '-' for none
    ip = d.get("IpAddress", "")
    port = d.get("IpPort", "")
    status = "/".join(s for s in (d.get("Status", ""), d.get("SubStatus", "")) if s)
    return {
        "record": e.record, "event_id": e.event_id, "time": e.time,
        "outcome": LOGON_IDS[e.event_id], "account": d.get("TargetUserName", ""),
        "domain": d.get("TargetDomainName", ""),
        "logon_type": int(d["LogonType"]) if d.get("LogonType", "").isdigit() else -1,
        "source_ip": ip,
        "source_port": int(port) if port.isdigit() else -1,
        "workstation": d.get("WorkstationName", ""),
        "process": d.get("LogonProcessName", "").strip(),
        "auth_package": d.get("AuthenticationPackageName", ""),
        "status": status if e.event_id == 4625 else "", "logon_id": d.get("TargetLogonId", ""),
    }
