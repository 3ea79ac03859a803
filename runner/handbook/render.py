"""The handbook's blocks as Markdown or as one self-contained, printable HTML page."""

from __future__ import annotations

import html

from runner.handbook.build import Block

STYLE = ("body{font-family:serif;max-width:48em;margin:2em auto;line-height:1.4}"
         "h1,h2,h3,h4,h5{font-family:sans-serif}h2{border-bottom:1px solid #999}"
         "dl{display:grid;grid-template-columns:12em 1fr;gap:.2em 1em}dt{font-weight:bold}"
         "dd{margin:0;overflow-wrap:anywhere}p.label{font-weight:bold;margin-bottom:.2em}"
         "@media print{h1,h2,h3{break-after:avoid}h3,h4,h5{break-before:auto}}")


def to_markdown(blocks: list[Block]) -> str:
    lines: list[str] = []
    for kind, payload in blocks:
        if kind.startswith("h") and kind[1:].isdigit():
            lines += ["#" * min(int(kind[1:]), 6) + " " + payload, ""]
        elif kind == "p*":
            lines += [f"**{payload}**", ""]
        elif kind == "p":
            lines += [payload, ""]
        elif kind == "ul":
            lines += [f"- {item}" for item in payload] + [""]
        elif kind == "dl":
            lines += [f"- **{k}:** {v}" for k, v in payload] + [""]
    return "\n".join(lines).rstrip() + "\n"


def to_html(blocks: list[Block], title: str, lang: str) -> str:
    e = html.escape
    parts = [f"<!doctype html><html lang='{e(lang)}'><head><meta charset='utf-8'>",
             f"<title>{e(title)}</title><style>{STYLE}</style></head><body>"]
    for kind, payload in blocks:
        if kind.startswith("h") and kind[1:].isdigit():
            n = min(int(kind[1:]), 6)
            parts.append(f"<h{n}>{e(payload)}</h{n}>")
        elif kind == "p*":
            parts.append(f"<p class='label'>{e(payload)}</p>")
        elif kind == "p":
            parts.append(f"<p>{e(payload)}</p>")
        elif kind == "ul":
            parts.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in payload) + "</ul>")
        elif kind == "dl":
            parts.append("<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>"
                                          for k, v in payload) + "</dl>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
