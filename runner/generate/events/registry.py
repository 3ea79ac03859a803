"""The event registry: one event kind per module, refusing duplicates."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import ValidationError

from runner.generate.events.base import Event, EventParams
from runner.scenario.problems import nearest


class EventRegistry:
    """Events by type."""

    def __init__(self) -> None:
        self._items: dict[str, Event] = {}

    def register(self, event: Event) -> Event:
        if event.type in self._items:
            raise ValueError(f"event type '{event.type}' registered twice")
        self._items[event.type] = event
        return event

    def get(self, kind: str) -> Event:
        if kind not in self._items:
            near = nearest(kind, self._items)
            hint = f"did you mean '{near}'?" if near else f"use one of: {', '.join(self.names())}"
            raise ValueError(f"unknown event type '{kind}'; {hint}")
        return self._items[kind]

    def names(self) -> list[str]:
        return sorted(self._items)

    def parse(self, index: int, raw: Any) -> EventParams:
        """Validate one ``events:`` item; a ValueError names the item and the field."""
        if not isinstance(raw, dict) or "type" not in raw:
            raise ValueError(f"event {index + 1}: write a mapping with 'type:', 'id:' and 'at:'")
        event = self.get(str(raw["type"]))
        try:
            return event.Params.model_validate(raw)
        except ValidationError as exc:
            # a misspelt key also makes its right spelling "missing": report the typo first
            errors = sorted(exc.errors(include_url=False),
                            key=lambda e: e["type"] != "extra_forbidden")
            first = errors[0]
            where = ".".join(str(p) for p in first["loc"]) or "?"
            label = f"event {index + 1} ({raw.get('id', '?')}, {event.type})"
            if first["type"] == "extra_forbidden":
                near = nearest(str(first["loc"][-1]), event.Params.model_fields)
                fix = f"did you mean '{near}'?" if near else \
                    f"valid keys: {', '.join(event.Params.model_fields)}"
                raise ValueError(f"{label}: unknown key '{where}'; {fix}") from None
            raise ValueError(f"{label}: {where}: {first['msg']}") from None


@cache
def events() -> EventRegistry:
    """The registry with every built-in event."""
    from runner.generate.events import ALL

    built = EventRegistry()
    for event in ALL:
        built.register(event)
    return built
