"""What the demo shows: a table per step on the terminal, and an HTML report."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Snapshot:
    """The DOIs of the story after one step."""

    step: str
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


COLUMNS = (
    ("what", "record"),
    ("doi", "DOI"),
    ("desired", "should be"),
    ("datacite", "DataCite has"),
    ("label", "status"),
    ("attempts", "tries"),
    ("error", "last error"),
)

#: What each column means, said once (terminal and report).
COLUMN_MEANINGS = {
    "record": "the record of the story; \u201cits concept DOI\u201d below it: the DOI of all its versions",
    "DOI": "the DOI; every DOI the demo made is listed and checked",
    "should be": "the state the lifecycle row wants at DataCite (draft, registered, findable)",
    "DataCite has": "the state DataCite (the sandbox) holds now; (absent): DataCite never heard of it",
    "status": "the DOI's status as operators see it (invenio doi status)",
    "tries": "failed calls since the last success (0: none failed)",
    "last error": "DataCite's answer to the last failed call",
}


def legend() -> list[str]:
    """The columns and their meanings, one line each."""
    width = max(len(label) for label in COLUMN_MEANINGS)
    return [f"{label.ljust(width)}  {meaning}" for label, meaning in COLUMN_MEANINGS.items()]


def format_table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table that fits a terminal."""
    cells = [[label for _, label in COLUMNS]]
    for row in rows:
        cells.append([_short(str(row.get(key, "")), 60 if key == "error" else 40) for key, _ in COLUMNS])
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = []
    for number, line in enumerate(cells):
        lines.append("  ".join(value.ljust(widths[i]) for i, value in enumerate(line)).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def write_html(
    path: Path, snapshots: list[Snapshot], verdict: str, passed: bool, services: list[str]
) -> None:
    """One self-contained page: the verdict, the services used, the columns, each step's table."""
    css = "ok" if passed else "bad"
    meanings = COLUMN_MEANINGS.items()
    verdict_html = f"<h2 class='{css} verdict'>{_lines(verdict)}</h2>"
    parts = [
        "<!doctype html><meta charset='utf-8'><title>invenio-doi-ext demo</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:75em}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .6em;"
        "font-size:.9em;text-align:left}th{background:#f3f3f3}.ok{color:#17692a}.bad{color:#a00}"
        "td:first-child{white-space:pre}code{font-size:.9em}dt{font-weight:bold;float:left;clear:left;width:8em}dd{margin-left:9em}</style>",
        "<h1>invenio-doi-ext demo</h1>",
        verdict_html,
        "<ul>",
        *(f"<li>{html.escape(line)}</li>" for line in services),
        "</ul>",
        "<h2>The columns</h2><dl>",
        *(f"<dt>{html.escape(name)}</dt><dd>{html.escape(text)}</dd>" for name, text in meanings),
        "</dl>",
    ]
    for snapshot in snapshots:
        parts.append(f"<h2>{html.escape(snapshot.step)}</h2>")
        parts.extend(f"<p>{html.escape(note)}</p>" for note in snapshot.notes)
        parts.append(
            "<table><tr>" + "".join(f"<th>{html.escape(label)}</th>" for _, label in COLUMNS) + "</tr>"
        )
        for row in snapshot.rows:
            parts.append(
                "<tr>"
                + "".join(f"<td>{html.escape(str(row.get(key, '')))}</td>" for key, _ in COLUMNS)
                + "</tr>"
            )
        parts.append("</table>")
    parts.append(verdict_html)
    path.write_text("\n".join(parts), encoding="utf-8")


def _lines(text: str) -> str:
    """Escaped text whose line breaks stay line breaks (a FAIL verdict lists its problems)."""
    return "<br>".join(html.escape(line) for line in text.splitlines())


def write_journal(path: Path, journal: list[dict[str, Any]]) -> None:
    """The sandbox's journal of every request it received, one JSON object per line."""
    with path.open("w", encoding="utf-8") as out:
        for entry in journal:
            out.write(json.dumps(entry, sort_keys=True) + "\n")
