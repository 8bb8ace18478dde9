"""The README's steps work as written: the install commands and the operator commands."""

from __future__ import annotations

import re
from pathlib import Path

import click

from invenio_doi_ext.cli import doi

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()

#: ``pip install invenio-doi-ext`` from the package index (not a path, a file or a URL).
FROM_THE_INDEX = re.compile(r"pip install invenio-doi-ext\s*$")


def section(text: str, title: str) -> str:
    """A ``## title`` section of a Markdown text, up to the next ``## ``."""
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def readme_commands() -> dict[str, str]:
    """The table rows of "Operators' commands": subcommand -> what the row writes after it."""
    rows = {}
    for line in section(README, "Operators' commands").splitlines():
        match = re.match(r"\| `invenio doi ([a-z-]+)([^`]*)` \|", line)
        if match:
            rows[match.group(1)] = match.group(2).replace("\\|", "|")
    return rows


def test_operator_commands_are_those_of_invenio_doi_help():
    assert sorted(readme_commands()) == sorted(doi.commands)


def test_each_command_row_names_exactly_its_options_and_subcommands():
    for name, usage in readme_commands().items():
        command = doi.commands[name]
        if isinstance(command, click.Group):
            written = set(usage.split()[0].split("|"))
            assert written == set(command.commands), name
            continue
        options = {opt for param in command.params if isinstance(param, click.Option) for opt in param.opts}
        assert set(re.findall(r"--[a-z-]+", usage)) == options, name


def test_pip_install_from_the_index_is_only_promised_once_released():
    """The package is not on the index yet: a newcomer copying the first command must succeed."""
    for path in (ROOT / "README.md", ROOT / "docs" / "installation.rst"):
        lines = path.read_text().splitlines()
        promises = [number for number, line in enumerate(lines) if FROM_THE_INDEX.search(line)]
        assert promises, f"{path.name} no longer says how to install once released"
        for number in promises:
            context = " ".join(lines[max(0, number - 2) : number + 1]).lower()
            assert "once released" in context, f"{path.name}:{number + 1}: {lines[number]}"


def test_the_install_section_names_a_checkout_a_wheel_an_sdist_and_a_vcs_url():
    install = section(README, "Install into an existing InvenioRDM (v14) instance")
    for way in ("pip install /path/to/invenio-doi-ext", ".whl", ".tar.gz", "git+https://"):
        assert way in install, way
