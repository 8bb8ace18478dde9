"""Errors the DOI service raises; ``resources.errors`` turns each into its HTTP answer."""

from __future__ import annotations

from .doi_input import quote


class DOINotManagedError(Exception):
    """No managed DOI by that name; ``foreign`` when its prefix is not this instance's."""

    def __init__(self, doi: str, foreign: bool = False) -> None:
        self.doi = doi
        self.foreign = foreign
        reason = "its prefix is not one this instance mints under" if foreign else "no such DOI is managed"
        super().__init__(f"DOI {quote(doi)} is not managed by this instance: {reason}.")


class JobNotFoundError(Exception):
    """No job with that token (never issued, or purged long after it expired)."""


class JobExpiredError(Exception):
    """The job's outcome was kept for ``DOI_EXT_JOB_TTL`` and that time is over."""
