"""Talking to DataCite: the gateway, its outcomes and its rate limit.

Knows nothing of records or Flask: callers pass DataCite JSON attributes and get
back an ``Outcome`` that says what to do next.
"""

from .gateway import DataCiteGateway, default_user_agent
from .outcome import FieldError, Outcome, OutcomeKind
from .ratelimit import RateLimiter

__all__ = (
    "DataCiteGateway",
    "FieldError",
    "Outcome",
    "OutcomeKind",
    "RateLimiter",
    "default_user_agent",
)
