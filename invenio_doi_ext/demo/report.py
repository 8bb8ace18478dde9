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
    """One self-contained page: the services used, each step's table, the verdict."""
    parts = [
        "<!doctype html><meta charset='utf-8'><title>invenio-doi-ext demo</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:75em}"
        "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .6em;"
        "font-size:.9em;text-align:left}th{background:#f3f3f3}.ok{color:#17692a}.bad{color:#a00}"
        "code{font-size:.9em}</style>",
        "<h1>invenio-doi-ext demo</h1><ul>",
        *(f"<li>{html.escape(line)}</li>" for line in services),
        "</ul>",
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
    css = "ok" if passed else "bad"
    parts.append(f"<h2 class='{css}'>{html.escape(verdict)}</h2>")
    path.write_text("\n".join(parts), encoding="utf-8")


def write_journal(path: Path, journal: list[dict[str, Any]]) -> None:
    """The sandbox's journal of every request it received, one JSON object per line."""
    with path.open("w", encoding="utf-8") as out:
        for entry in journal:
            out.write(json.dumps(entry, sort_keys=True) + "\n")
