"""EVTX records read with python-evtx, chunk by chunk, so that a damaged chunk or
record costs a warning with its offset and the rest of the log is still read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from runner.errors import EvidenceError
from runner.evidence.artifacts.timefmt import from_datetime

_NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"
LOGON_IDS = {4624: "success", 4625: "failure", 4648: "explicit", 4634: "logoff",
             4647: "logoff"}
MAX_BAD = 1000  # damaged records reported one by one; after that, counted


@dataclass
class EventRecord:
    record: int
    event_id: int
    time: str
    provider: str
    channel: str
    computer: str
    level: int
    user_sid: str
    offset: int
    data: dict[str, str] = field(default_factory=dict)


def read_events(path: Path, warn: Callable[[str], None]) -> Iterator[EventRecord]:
    """Every readable event of an EVTX file, in file order.

    Raises:
        EvidenceError: the file header cannot be read at all.
    """
    import Evtx.Evtx as evtx

    try:
        log = evtx.Evtx(str(path))
        log.__enter__()
    except Exception as exc:
        raise EvidenceError(f"not a readable EVTX file: {exc}", where=str(path)) from None
    try:
        header = log.get_file_header()
        bad = 0
        for chunk in header.chunks():
            where = f"{path}: chunk at offset {chunk.offset()}"
            if not chunk.check_magic():
                warn(f"{where}: bad chunk signature; chunk skipped")
                continue
            try:
                records = list(chunk.records())
            except Exception as exc:
                warn(f"{where}: unreadable ({type(exc).__name__}: {exc}); chunk skipped")
                continue
            for rec in records:
                event = _event(rec)
                if isinstance(event, EventRecord):
                    yield event
                    continue
                bad += 1
                if bad <= MAX_BAD:
                    warn(f"{path}: record at offset {rec.offset()}: {event}; skipped")
        if bad > MAX_BAD:
            warn(f"{path}: {bad} damaged records in all")
    finally:
        log.__exit__(None, None, None)


def _event(rec: object) -> EventRecord | str:
    """The record's event, or why it could not be read."""
    from defusedxml import ElementTree

    try:
        root = ElementTree.fromstring(rec.xml())  # type: ignore[attr-defined]
        system = root.find(f"{_NS}System")
        offset = int(rec.offset())  # type: ignore[attr-defined]
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    if system is None:
        return "no System element"
    created = system.find(f"{_NS}TimeCreated")
    provider = system.find(f"{_NS}Provider")
    security = system.find(f"{_NS}Security")
    return EventRecord(
        record=_int(system.findtext(f"{_NS}EventRecordID")),
        event_id=_int(system.findtext(f"{_NS}EventID")),
        time=_time(created.get("SystemTime", "") if created is not None else ""),
        provider=provider.get("Name", "") if provider is not None else "",
        channel=system.findtext(f"{_NS}Channel") or "",
        computer=system.findtext(f"{_NS}Computer") or "",
        level=_int(system.findtext(f"{_NS}Level")),
        user_sid=security.get("UserID", "") if security is not None else "",
        offset=offset, data=_data(root),
    )


def _data(root: object) -> dict[str, str]:
    out: dict[str, str] = {}
    data = root.find(f"{_NS}EventData")  # type: ignore[attr-defined]
    if data is not None:
        for i, d in enumerate(data.findall(f"{_NS}Data")):
            out[d.get("Name") or f"Data{i}"] = (d.text or "").strip()
    user = root.find(f"{_NS}UserData")  # type: ignore[attr-defined]
    if user is not None:
        for el in user.iter():
            if len(el) == 0 and (el.text or "").strip():
                out[el.tag.split("}")[-1]] = el.text.strip()
    return out


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return -1


def _time(value: str) -> str:
    """``2015-08-08 02:06:17.078125+00:00`` (python-evtx's form) as ISO 8601 UTC."""
    if not value:
        return ""
    try:
        return from_datetime(datetime.fromisoformat(value.replace(" ", "T").replace("Z", "+00:00")))
    except ValueError:
        return ""
