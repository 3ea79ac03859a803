"""A fact table stored compactly: one tuple per row, field names once per table.

A million-packet capture yields hundreds of thousands of rows; as dicts they would
cost three times the memory. Rows are read back as dicts, so code using a table
never sees the difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any, overload

Row = dict[str, Any]


class Table(Sequence[Row]):
    """Rows of one fact table, in the order the analyzer appended (or sorted) them."""

    __slots__ = ("_get", "fields", "rows")

    def __init__(self, fields: Iterable[str], rows: Iterable[Sequence[Any]] = ()) -> None:
        self.fields: tuple[str, ...] = tuple(fields)
        self._get = itemgetter(*self.fields) if len(self.fields) > 1 else None
        self.rows: list[tuple[Any, ...]] = [tuple(r) for r in rows]

    @classmethod
    def from_dicts(cls, fields: Iterable[str], rows: Iterable[Mapping[str, Any]]) -> Table:
        """Build from dict rows (missing fields become None)."""
        table = cls(fields)
        for row in rows:
            table.rows.append(tuple(row.get(f) for f in table.fields))
        return table

    def append(self, row: Mapping[str, Any]) -> None:
        """Add a row given as a mapping holding every field (a missing one is a bug)."""
        if self._get is None:
            self.rows.append((row[self.fields[0]],))
        else:
            self.rows.append(self._get(row))

    def sort_by(self, field: str) -> Table:
        """Sort rows in place by one field (stable); return the table."""
        index = self.fields.index(field)
        self.rows.sort(key=itemgetter(index))
        return self

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            return [dict(zip(self.fields, r, strict=True)) for r in self.rows[index]]
        return dict(zip(self.fields, self.rows[index], strict=True))

    def __iter__(self) -> Iterator[Row]:
        fields = self.fields
        for r in self.rows:
            yield dict(zip(fields, r, strict=True))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Table):
            return self.fields == other.fields and self.rows == other.rows
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Table({len(self.rows)} rows: {', '.join(self.fields)})"

    def to_columns(self) -> dict[str, Any]:
        """Compact JSON form: field names once, rows as lists."""
        return {"fields": list(self.fields), "rows": [list(r) for r in self.rows]}

    @classmethod
    def from_columns(cls, data: Mapping[str, Any]) -> Table:
        """Inverse of :meth:`to_columns`."""
        return cls(data["fields"], data["rows"])
