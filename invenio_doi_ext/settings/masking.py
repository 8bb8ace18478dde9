"""Secrets never shown: masked values and URLs with their password hidden.

Used wherever configuration, a URL or a log line reaches a person: ``invenio doi
config``, the gateway's ``repr`` and DEBUG log, the start-up errors.
"""

from __future__ import annotations

import re
from typing import Any


def mask(value: Any) -> str:
    """Never show a secret; say only whether it is set."""
    return "***" if value else "(not set)"


#: The user part of a URL, also inside a longer text (a log line, an error message).
#: Greedy up to the authority's last ``@``: a password holding ``@`` is hidden whole.
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#\s'\"]*)@")


def _hide(match: re.Match) -> str:
    user, colon, _ = match.group("userinfo").partition(":")
    return f"{match.group('scheme')}{user}:***@" if colon else f"{match.group('scheme')}***@"


def mask_url(text: str) -> str:
    """Hide the password in every URL of ``text`` (a lone user part may be a token: hidden too)."""
    return _USERINFO.sub(_hide, text)
