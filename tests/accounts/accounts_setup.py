"""The accounts of the several-accounts tests (a module of its own: ``conftest`` names clash)."""

from __future__ import annotations

from typing import Any

ACCOUNTS = {
    "a": {"username": "INST.A", "password": "a-secret", "prefix": "10.4444"},
    "b": {
        "username": "INST.B",
        "password": "b-secret",
        "prefix": "10.5678",
        "additional_prefixes": ["10.5679"],
    },
}
PREFIX = {"default": "10.1234", "a": "10.4444", "b": "10.5678"}
USER = {"default": "sandbox", "a": "INST.A", "b": "INST.B"}


def with_accounts(sandbox: Any) -> Any:
    """The sandbox knowing the accounts ``a`` and ``b`` with their prefixes (besides ``default``)."""
    for each in ACCOUNTS.values():
        prefixes = [each["prefix"], *each.get("additional_prefixes", [])]
        sandbox.control.add_account(each["username"], each["password"], prefixes)
    return sandbox
