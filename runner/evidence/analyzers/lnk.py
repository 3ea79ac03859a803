"""Windows shortcuts with LnkParse3: target, arguments, target MAC times, volume, tracker."""

from __future__ import annotations

import contextlib
import io
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from runner.errors import EvidenceError
from runner.evidence.analyzers.base import Field, KindAnalyzer, Tables
from runner.evidence.analyzers.registry import register
from runner.evidence.artifacts.timefmt import from_datetime

DRIVE_TYPES = {0: "unknown", 1: "no root dir", 2: "removable", 3: "fixed", 4: "remote",
               5: "cdrom", 6: "ramdisk"}


@register
class LnkAnalyzer(KindAnalyzer):
    name = "lnk"
    version = "1"
    description = "Windows shortcuts: target, arguments, target times, volume, machine id"
    kinds = frozenset({"lnk"})
    tables: ClassVar[dict[str, tuple[Field, ...]]] = {
        "shortcuts": (
            Field("target_path", "str", "local base path of the target (LinkInfo)"),
            Field("network_path", "str", "network share of the target, if on one"),
            Field("relative_path", "str", "target path relative to the shortcut"),
            Field("working_directory", "str", "working directory"),
            Field("arguments", "str", "command-line arguments, as stored"),
            Field("description", "str", "description (comment) string"),
            Field("icon_location", "str", "icon file"),
            Field("target_created", "str", "target creation time, UTC ISO 8601"),
            Field("target_modified", "str", "target modification time, UTC ISO 8601"),
            Field("target_accessed", "str", "target access time, UTC ISO 8601"),
            Field("target_size", "int", "target file size in bytes"),
            Field("drive_type", "str", "fixed, removable, remote, cdrom, ..."),
            Field("volume_serial", "str", "volume serial number, 8 hex digits upper case"),
            Field("volume_label", "str", "volume label"),
            Field("machine_id", "str", "NetBIOS name of the machine (link tracker block)"),
        ),
    }

    def setup(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def run(self, source: Any) -> None:
        path: Path = source
        info, damage = _parse(path)
        for message in damage:
            self.note(message, where=str(path))
        header, data = info.get("header", {}), info.get("data", {})
        link = info.get("link_info", {})
        loc = link.get("location_info", {}) or {}
        tracker = info.get("extra", {}).get("DISTRIBUTED_LINK_TRACKER_BLOCK", {})
        serial = str(loc.get("drive_serial_number", "") or "")
        self.rows.append({
            "target_path": str(link.get("local_base_path", "") or ""),
            "network_path": str(loc.get("net_name", "") or ""),
            "relative_path": str(data.get("relative_path", "")),
            "working_directory": str(data.get("working_directory", "")),
            "arguments": str(data.get("command_line_arguments", "")),
            "description": str(data.get("description", "")),
            "icon_location": str(data.get("icon_location", "")),
            "target_created": _when(header.get("creation_time")),
            "target_modified": _when(header.get("modified_time")),
            "target_accessed": _when(header.get("accessed_time")),
            "target_size": int(header.get("file_size", 0) or 0),
            "drive_type": DRIVE_TYPES.get(loc.get("r_drive_type", -1), "")
            if loc else "",
            "volume_serial": serial.removeprefix("0x").upper().zfill(8) if serial else "",
            "volume_label": str(loc.get("volume_label", "") or ""),
            "machine_id": str(tracker.get("machine_identifier", "") or ""),
        })

    def finish(self) -> Tables:
        return {"shortcuts": self.rows}


def _parse(path: Path) -> tuple[dict[str, Any], list[str]]:
    """LnkParse3's JSON view of the shortcut, and the damage it reported on the way."""
    import LnkParse3

    out = io.StringIO()
    # LnkParse3 reports damage it skips as UserWarning (or on stdout): collect it as notes
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        try:
            with path.open("rb") as f:
                parsed: dict[str, Any] = LnkParse3.lnk_file(f).get_json()
        except Exception as exc:
            raise EvidenceError(
                f"not a readable Windows shortcut ({type(exc).__name__}: {exc}); "
                "the file is cut short or damaged", where=str(path)) from None
    damage = [str(w.message) for w in caught] + out.getvalue().splitlines()
    return parsed, list(dict.fromkeys(damage))


def _when(value: Any) -> str:
    return from_datetime(value) if isinstance(value, datetime) else ""
