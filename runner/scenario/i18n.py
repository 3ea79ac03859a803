"""Text in several languages: a plain string, or a map of language code to text."""

from __future__ import annotations

from collections.abc import Mapping


def pick_text(text: str | Mapping[str, str] | None, lang: str = "en") -> str:
    """The text in ``lang``, else English, else the first language given."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    for code in (lang, lang.split("-", maxsplit=1)[0], "en"):
        if code in text:
            return text[code]
    return next(iter(text.values()), "")
