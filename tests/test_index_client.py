"""The HTTP policy (retries, Retry-After, User-Agent), with a mock transport standing in."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from fastrtc_registry.errors import IndexUnreachableError
from fastrtc_registry.index import client as client_module
from fastrtc_registry.index.client import IndexClient, IndexHTTPError, RetryPolicy


def run(
    handler: Callable[[httpx.Request], httpx.Response],
    monkeypatch: pytest.MonkeyPatch,
    policy: RetryPolicy | None = None,
) -> tuple[httpx.Response | Exception, list[float], list[httpx.Request]]:
    """GET through the client; return the answer (or error), the sleeps and the requests."""
    sleeps: list[float] = []
    seen: list[httpx.Request] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    monkeypatch.setattr(client_module.asyncio, "sleep", fake_sleep)

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    async def go() -> httpx.Response | Exception:
        async with IndexClient(
            transport=httpx.MockTransport(record), retry=policy or RetryPolicy()
        ) as client:
            try:
                return await client.get("http://127.0.0.1:9/simple/")
            except Exception as exc:
                return exc

    return asyncio.run(go()), sleeps, seen


def sequence(*responses: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        return item

    return handler


def test_5xx_and_connect_errors_are_retried_with_backoff(monkeypatch: pytest.MonkeyPatch):
    answer, sleeps, seen = run(
        sequence(
            httpx.Response(503),
            httpx.ConnectError("refused"),
            httpx.Response(502),
            httpx.Response(200, text="ok"),
        ),
        monkeypatch,
    )
    assert isinstance(answer, httpx.Response) and answer.text == "ok"
    assert sleeps == [0.5, 1.0, 2.0]
    assert all(r.headers["User-Agent"].startswith("fastrtc-registry/") for r in seen)


def test_retry_after_is_honoured(monkeypatch: pytest.MonkeyPatch):
    answer, sleeps, _ = run(
        sequence(httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)),
        monkeypatch,
    )
    assert isinstance(answer, httpx.Response) and answer.status_code == 200
    assert sleeps == [7.0]


def test_a_retry_after_longer_than_the_cap_is_reported_not_waited(monkeypatch: pytest.MonkeyPatch):
    answer, sleeps, _ = run(
        sequence(httpx.Response(429, headers={"Retry-After": "3600"})), monkeypatch
    )
    assert isinstance(answer, IndexHTTPError) and answer.status == 429
    assert sleeps == []


def test_giving_up_says_what_to_do(monkeypatch: pytest.MonkeyPatch):
    answer, sleeps, seen = run(
        sequence(httpx.Response(500)), monkeypatch, RetryPolicy(attempts=3, backoff=0.1)
    )
    assert isinstance(answer, IndexHTTPError) and "after 3 attempt(s)" in str(answer)
    assert len(seen) == 3 and sleeps == [0.1, 0.2]
    refused, _, _ = run(sequence(httpx.ConnectError("refused")), monkeypatch)
    assert isinstance(refused, IndexUnreachableError) and "--offline" in str(refused)


def test_client_errors_are_not_retried(monkeypatch: pytest.MonkeyPatch):
    answer, sleeps, seen = run(sequence(httpx.Response(404)), monkeypatch)
    assert isinstance(answer, IndexHTTPError) and answer.status == 404
    assert len(seen) == 1 and sleeps == []


@pytest.mark.parametrize(("header", "expected"), [("5", 5.0), ("soon", 0.5), (None, 0.5)])
def test_retry_policy_delay(header: str | None, expected: float):
    assert RetryPolicy().delay(1, header) == expected
    assert RetryPolicy(attempts=1).delay(1, header) is None
