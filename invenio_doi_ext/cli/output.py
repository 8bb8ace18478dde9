"""How the commands print: one DOI's status, listings as table, JSON or CSV, progress."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import click
from invenio_db import db

from ..services import serialize
from ..services.bulk import Tally


def print_status(data: dict) -> None:
    """One DOI's detail (``services.serialize.detail``) as aligned lines and its history."""
    desired, remote = data["desired"], data["remote"]
    lines = [
        ("DOI", data["doi"]),
        ("Kind", data["kind"]),
        ("Account", data["account"]),
        ("Status", data["label"]),
        ("DSpace state", data["dspace_state"]),
        ("In sync", "yes" if data["in_sync"] else "no"),
        ("Failed", "yes" if data["failed"] else "no"),
        ("Desired state", desired["state"]),
        ("Desired URL", desired["url"]),
        ("Desired fingerprint", desired["fingerprint"]),
        ("Desired changed", desired["changed"]),
        ("Remote state", remote["state"]),
        ("Remote URL", remote["url"]),
        ("Remote fingerprint", remote["fingerprint"]),
        ("Remote checked", remote["checked"]),
        ("Attempts", data["attempts"]),
        ("Next attempt", data["next_attempt_at"]),
        ("Lease until", data["lease_until"]),
        ("Last HTTP status", data["last_status"]),
        ("Last error", data["last_error"]),
        ("Record/parent id", data["object_uuid"]),
    ]
    if data.get("file_key") is not None:
        lines.append(("File", data["file_key"]))
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        click.echo(f"{label.ljust(width)}  {'-' if value is None else value}")
    click.echo(f"History ({len(data['history'])} events, oldest first):")
    for item in data["history"]:
        change = f"{item['from_state'] or '-'} -> {item['to_state'] or '-'}"
        call = " ".join(
            str(part) for part in (item["operation"], item["http_status"], item["outcome"]) if part
        )
        click.echo(f"  {item['created']}  {item['actor']:<16} {item['action']:<9} {change:<24} {call}")
        if item["message"]:
            click.echo(f"      {item['message']}")


TABLE_COLUMNS = (
    ("doi", "DOI", 44),
    ("label", "STATUS", 12),
    ("account", "ACCOUNT", 10),
    ("dspace_state", "DSPACE STATE", 26),
    ("desired_state", "DESIRED", 10),
    ("remote_state", "REMOTE", 10),
    ("attempts", "ATT", 4),
    ("next_attempt_at", "NEXT ATTEMPT", 19),
)
CSV_FIELDS = (
    "doi",
    "kind",
    "account",
    "label",
    "dspace_state",
    "desired_state",
    "remote_state",
    "in_sync",
    "failed",
    "attempts",
    "next_attempt_at",
    "last_status",
    "last_error",
    "updated",
)


def _table_line(item: dict[str, Any]) -> str:
    cells = (
        "-" if item[key] is None else str(item[key])[:19] if key == "next_attempt_at" else str(item[key])
        for key, _, _ in TABLE_COLUMNS
    )
    line = "  ".join(cell.ljust(width) for cell, (_, _, width) in zip(cells, TABLE_COLUMNS))
    return line + "  " + (item["last_error"] or "")[:80].replace("\n", " ") + "\n"


def write_listing(rows: Iterable[Any], fmt: str, echo: Callable[..., None], flush_every: int = 2000) -> int:
    """Write rows as a table, a JSON array or CSV, in chunks; returns how many."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if fmt == "table":
        out.write("  ".join(title.ljust(width) for _, title, width in TABLE_COLUMNS) + "  LAST ERROR\n")
    elif fmt == "csv":
        writer.writerow(CSV_FIELDS)
    else:
        out.write("[")
    count = 0
    for row in rows:
        item = serialize.summary(row)
        if fmt == "table":
            out.write(_table_line(item))
        elif fmt == "csv":
            writer.writerow(["" if item[key] is None else item[key] for key in CSV_FIELDS])
        else:
            out.write(("\n" if count == 0 else ",\n") + json.dumps(item))
        count += 1
        if count % flush_every == 0:
            echo(out.getvalue(), nl=False)
            out.seek(0)
            out.truncate()
    if fmt == "json":
        out.write("\n]\n" if count else "]\n")
    echo(out.getvalue(), nl=False)
    return count


def show_progress(steps: Iterator[int], tally: Tally) -> bool:
    """Drive a bulk convergence under a progress bar; True when every DOI ended in sync."""
    try:
        with click.progressbar(
            length=tally.total, label="Converging", show_pos=True, item_show_func=lambda text: text
        ) as bar:
            for advanced in steps:
                bar.update(advanced, tally.line())
    except KeyboardInterrupt:
        db.session.rollback()
        click.echo(f"\nInterrupted: {tally.line()}. Rerun the same command to continue.", err=True)
        raise SystemExit(1) from None
    click.echo(tally.line())
    if tally.paused_until:
        click.echo(
            f"Calls to DataCite are paused until {tally.paused_until.isoformat()} "
            f"({tally.paused_reason or ''}); see `invenio doi breaker show`.",
            err=True,
        )
    return tally.ok and tally.paused_until is None
