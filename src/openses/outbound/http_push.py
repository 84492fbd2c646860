"""POSTing SNS messages to subscribed HTTP/S endpoints (httpx).

One client per batch (its connections closed when the batch is done), at most ``concurrency``
requests at once, explicit timeouts (SNS gives an endpoint about 15 seconds), no redirects
followed, certificates of ``https`` endpoints verified against the system's trust store. Every
request ends in a :class:`~openses.domain.topics.pushes.PushOutcome`: a status, or the reason
there was none; nothing raises.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import httpx

from openses.domain.topics.pushes import PushOutcome, PushRequest

CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 15.0
MAX_CONCURRENCY = 32


class HttpPush:
    """Sends :class:`PushRequest` batches concurrently."""

    def __init__(
        self,
        *,
        connect_timeout: float = CONNECT_TIMEOUT,
        timeout: float = TOTAL_TIMEOUT,
        concurrency: int = MAX_CONCURRENCY,
    ) -> None:
        self._timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self._concurrency = concurrency

    async def post_all(self, requests: Sequence[PushRequest]) -> list[PushOutcome]:
        """The outcome of each request, in order."""
        if not requests:
            return []
        gate = asyncio.Semaphore(self._concurrency)
        limits = httpx.Limits(max_connections=self._concurrency)
        async with httpx.AsyncClient(
            timeout=self._timeout, limits=limits, follow_redirects=False, trust_env=False
        ) as client:

            async def post(request: PushRequest) -> PushOutcome:
                async with gate:
                    return await _post(client, request)

            return list(await asyncio.gather(*(post(request) for request in requests)))


async def _post(client: httpx.AsyncClient, request: PushRequest) -> PushOutcome:
    try:
        response = await client.post(
            request.url, content=request.body, headers=dict(request.headers)
        )
    except httpx.TimeoutException:
        return PushOutcome(None, "timed out")
    except httpx.HTTPError as error:
        return PushOutcome(None, f"{type(error).__name__}: {error}")
    except ValueError as error:  # an endpoint URL httpx cannot use
        return PushOutcome(None, f"invalid endpoint: {error}")
    return PushOutcome(response.status_code)
