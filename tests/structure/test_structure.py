"""The shape DESIGN.md promises, checked on the source: no circles, no upward imports, one writer.

These read the code with ``ast``; they run in a fraction of a second and fail the
moment a change brings back a circle, an upward import, or a second writer of the
DOI rows.
"""

from __future__ import annotations

import ast

from import_graph import ROOT, area, cycles, graph, modules

#: Lower ranks never import higher ones (DESIGN.md, "Layout"): faces -> services ->
#: rdm, lifecycle -> metadata, datacite; optional features plug into rdm, not back.
RANK = {
    "": 0,  # the package's __init__ (its version)
    "config": 0,
    "compat": 0,
    "doi_syntax": 0,  # the one DOI rule (DataCite's), needs nothing of the package
    "settings": 1,
    "celery_beat": 1,  # Flask wiring of beat entries, needs nothing of the package
    "datacite": 2,
    "metadata": 2,
    "embedded": 2,
    "sandbox": 2,
    "lifecycle": 3,
    "rdm": 4,
    "curation": 5,
    "monitoring": 5,
    "services": 6,
    "resources": 7,
    "administration": 7,
    "cli": 7,
    "views": 7,
    "webpack": 7,
    "demo": 7,
    "ext": 8,
}

#: Columns of ``doi_ext_dois`` that only ``lifecycle.store`` may assign.
ROW_COLUMNS = {
    "desired_state", "desired_payload", "desired_url", "desired_fingerprint", "desired_changed",
    "remote_state", "remote_fingerprint", "remote_url", "remote_checked", "in_sync", "in_sync_column",
    "last_error", "last_status", "next_attempt_at", "lease_until", "claim_token", "queued_at", "hold",
}
#: Column names common enough elsewhere (a tally's ``failed``) that only ``row``-like names count.
ROW_COLUMNS_BY_NAME = {"failed", "attempts", "kind", "object_uuid", "doi", "pid_value"}
WRITERS = {"invenio_doi_ext.lifecycle.models"}  # and every module of lifecycle.store
STORE = "invenio_doi_ext.lifecycle.store"
#: Objects that are not rows but have a field of the same name (module, variable).
NOT_ROWS = {("invenio_doi_ext.rdm.adopt", "result")}  # an ``Adoption`` report


def test_no_import_circle():
    assert cycles(graph()) == []


def test_no_upward_import():
    upward = []
    for module, targets in graph().items():
        for target in targets:
            source_area, target_area = area(module), area(target)
            assert source_area in RANK, f"{module}: give its area a rank in this test"
            if RANK.get(target_area, 0) > RANK[source_area]:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_the_sandbox_imports_nothing_of_the_product():
    """The sandbox plays DataCite: sharing code with the client would hide the client's bugs."""
    leaks = [
        f"{module} -> {target}"
        for module, targets in graph().items()
        if area(module) == "sandbox"
        for target in targets
        if area(target) not in ("sandbox", "")
    ]
    assert leaks == []


def _row_writes(tree: ast.AST, module: str = "") -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in ("ManagedDOI", "DOIEvent"):
                lines.append(node.lineno)
            if name == "update" and node.args and isinstance(node.args[0], ast.Dict):
                for key in node.args[0].keys:
                    if (
                        isinstance(key, ast.Attribute)
                        and isinstance(key.value, ast.Name)
                        and key.value.id in ("ManagedDOI", "DOIEvent", "M")
                    ):
                        lines.append(node.lineno)
        targets: list[ast.expr] = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            for item in target.elts if isinstance(target, ast.Tuple) else [target]:
                if not isinstance(item, ast.Attribute):
                    continue
                owner = item.value.id if isinstance(item.value, ast.Name) else ""
                if owner == "self" or (module, owner) in NOT_ROWS:
                    continue  # an object's own attribute, or a report named above
                if item.attr in ROW_COLUMNS or (item.attr in ROW_COLUMNS_BY_NAME and "row" in owner):
                    lines.append(item.lineno)
    return lines


def test_only_the_store_writes_doi_rows_and_events():
    writes = []
    for module, path in modules().items():
        if module in WRITERS or module.startswith(STORE) or area(module) == "sandbox":
            continue
        for line in _row_writes(ast.parse(path.read_text()), module):
            writes.append(f"{path.relative_to(ROOT.parent)}:{line}")
    assert writes == []


def test_the_writer_check_finds_a_write():
    """The check above cannot pass by seeing nothing."""
    sample = ast.parse("row.remote_state = 'none'\nrow.failed = False\nManagedDOI(doi='x')\n")
    assert _row_writes(sample) == [1, 2, 3]


MAX_MODULE_LINES = 400


def test_no_module_over_400_lines():
    """A module that grows past this is two modules (STYLE.md)."""
    long = {
        str(path.relative_to(ROOT.parent)): count
        for path in modules().values()
        if (count := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
