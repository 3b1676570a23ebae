"""Server-Sent Events of a live session: ``event_stream`` answers an EventSource with the current
state at once, then a new state after every notice of its keys (``live.bus``).

Under ASGI (uvicorn in production) the stream is an async generator: one event loop holds every
phone's connection, a few kilobytes each, and a notice wakes them all. Under WSGI (the runserver of
``make run``, the tests' live server) it is a plain generator in the request's thread. A state is sent
only when it differs from the last one sent; a comment every ``KEEPALIVE`` seconds keeps proxies from
closing an idle connection and lets a server notice a phone that went away. EventSource reconnects by
itself (after ``RETRY_MS``) and gets the current state first: a phone that slept catches up.
"""

import asyncio
import json
import time
from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import DatabaseError, connections
from django.http import StreamingHttpResponse

from live.bus import AsyncWaiter, SyncWaiter, bus_is_shared

KEEPALIVE = 15.0  # seconds between keep-alive comments
POLL_SHARED = 1.0  # WSGI with Redis configured: seconds between reads (other processes' notices do not reach it)
RETRY_MS = 1500  # how long EventSource waits before reconnecting
MAX_SECONDS = 3600  # a stream ends after this long; the browser reconnects (bounds a forgotten tab)


def event(state: dict) -> str:
    return f"event: state\ndata: {json.dumps(state, separators=(',', ':'))}\n\n"


def event_stream(request, *, keys: tuple[str, ...], read: Callable[[], dict],
                 from_notice: Callable[[str], dict | None] = lambda payload: None,
                 min_interval: float = 0.0) -> StreamingHttpResponse:
    """An SSE response: ``read()`` (sync, reads the database) at the start and after each notice,
    unless ``from_notice(payload)`` gives the state from the notice itself (phones: no query at
    all when a question opens); at most one state per ``min_interval`` seconds (the presenter's
    counts while 500 answers arrive). A state with ``"ended": true`` ends the stream."""
    if isinstance(request, ASGIRequest):
        # The view ran in a thread of this request's own (Django's ASGI handler gives each request
        # one), whose database connection would stay open, idle, as long as the stream: one per phone,
        # past PostgreSQL's default max_connections (100) at some 90 phones (bench/live.py). The
        # stream's reads run in the event loop's shared thread pool (``read_async``), one per thread.
        connections.close_all()
        body = _async_events(keys, read, from_notice, min_interval)
    else:
        body = _sync_events(keys, read, min_interval)
    response = StreamingHttpResponse(body, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def _read_retrying(read, attempts: int = 20) -> dict | None:
    """``read()``, again after a short pause while the database is busy (the tests' in-memory SQLite
    locks a table while another thread writes); None when it stays busy."""
    for _ in range(attempts):
        try:
            return read()
        except DatabaseError:
            time.sleep(0.05)
    return None


def _sync_events(keys, read, min_interval):
    waiter = SyncWaiter(keys)
    # In one process (the runserver) every notice reaches the waiter: read on notices only. With Redis,
    # notices of other processes do not reach a thread: read every POLL_SHARED seconds.
    poll = POLL_SHARED if bus_is_shared() else KEEPALIVE
    yield f"retry: {RETRY_MS}\n\n"
    last, quiet, started = None, 0.0, time.monotonic()
    while time.monotonic() - started < MAX_SECONDS:
        state = _read_retrying(read) or last
        if state and state != last:
            yield event(state)
            last, quiet = state, 0.0
        if state.get("ended"):
            return
        if not waiter.wait(poll):
            quiet += poll
            if quiet >= KEEPALIVE:
                yield ": keep-alive\n\n"
                quiet = 0.0
        elif min_interval:
            time.sleep(min_interval)


async def _async_events(keys, read, from_notice, min_interval):
    read_async = sync_to_async(read, thread_sensitive=False)
    yield f"retry: {RETRY_MS}\n\n"
    async with AsyncWaiter(keys) as waiter:
        last, started = None, time.monotonic()
        state = await read_async()
        while time.monotonic() - started < MAX_SECONDS:
            if state != last:
                yield event(state)
                last = state
            if state.get("ended"):
                return
            if await waiter.wait(KEEPALIVE):
                if min_interval:
                    await asyncio.sleep(min_interval)
                state = from_notice(waiter.payload or "") or await read_async()
            else:
                yield ": keep-alive\n\n"
                state = await read_async()  # a notice may have been lost: the database is the truth
