"""Helpers of the gateway tests: a scripted transport, and whether Redis is there."""

from __future__ import annotations

import json
from collections import deque
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from tests_support import services_allowed

REDIS_URI = "redis://127.0.0.1:6379/0"


def redis_reachable() -> bool:
    """True when the machine's Redis answers a ping (the shared rate-limit storage).

    Never with ``DOI_EXT_TEST_SERVICES=none``: that mode uses no service at all.
    """
    if not services_allowed():
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URI, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


def make_response(
    status: int,
    body: Any = None,
    headers: dict[str, str] | None = None,
    content_type: str = "application/vnd.api+json; charset=utf-8",
) -> requests.Response:
    """A requests.Response as the transport would build it."""
    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict(headers or {})
    if body is None:
        response._content = b""
    elif isinstance(body, (bytes, str)):
        response._content = body.encode() if isinstance(body, str) else body
        response.headers.setdefault("Content-Type", "text/html; charset=utf-8")
    else:
        response._content = json.dumps(body).encode()
        response.headers.setdefault("Content-Type", content_type)
    response.encoding = "utf-8"
    return response


class ScriptedAdapter(BaseAdapter):
    """Returns queued responses (or raises queued exceptions) and keeps every request."""

    def __init__(self) -> None:
        super().__init__()
        self.script: deque = deque()
        self.requests: list[requests.PreparedRequest] = []
        self.kwargs: list[dict] = []

    def add(self, item: requests.Response | BaseException) -> None:
        self.script.append(item)

    def send(self, request, **kwargs):
        self.requests.append(request)
        self.kwargs.append(kwargs)
        item = self.script.popleft() if self.script else make_response(200, {"data": {}})
        if isinstance(item, BaseException):
            raise item
        item.request = request
        item.url = request.url
        return item

    def close(self) -> None:
        pass
