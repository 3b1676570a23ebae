"""Notices of changed live sessions, from the process that changed one to every process streaming it.

``notify(key, payload)`` is called after a change is committed, with the JSON text the streams send
(keys: ``state_key(id)`` for what phones show, ``answers_key(id)`` for the presenter's counts).
Streams wait for the next notice of their keys:

- ``AsyncWaiter`` (ASGI: uvicorn in production, thousands of connections in one event loop);
- ``SyncWaiter`` (WSGI: the runserver of ``make run``, tests; one thread per connection).

With ``QUIZSERVER_LIVE_REDIS_URL`` notices travel by Redis pub/sub: every process keeps one
subscription and wakes its waiters. Without it they stay in the process, which is all the runserver
needs. Either way the database holds the truth: a stream reads it when it starts (a phone that
reconnects catches up) and again whenever a wait times out, so a lost notice delays an update by at
most ``timeout``, it never loses one.
"""

import asyncio
import hashlib
import logging
import threading

from django.conf import settings

log = logging.getLogger(__name__)


def channel() -> str:
    """The pub/sub channel prefix of this deployment: Redis pub/sub ignores database numbers, so two
    sites sharing one Redis are kept apart by their database's name (sessions have the same ids)."""
    database = settings.DATABASES["default"]
    digest = hashlib.sha256(f"{database.get('HOST', '')}/{database['NAME']}".encode()).hexdigest()[:12]
    return f"quizserver-live:{digest}:"


def state_key(session_id: int) -> str:
    return f"{session_id}:state"


def answers_key(session_id: int) -> str:
    return f"{session_id}:answers"


class _Local:
    """In-process notices: a counter and the last payload per key, under one condition."""

    def __init__(self):
        self.condition = threading.Condition()
        self.counters: dict[str, int] = {}
        self.payloads: dict[str, str] = {}
        self.loops: set = set()  # (loop, AsyncWaiter) pairs waiting in this process

    def notify(self, key: str, payload: str) -> None:
        with self.condition:
            self.counters[key] = self.counters.get(key, 0) + 1
            self.payloads[key] = payload
            self.condition.notify_all()
            waiting = list(self.loops)
        for loop, waiter in waiting:
            loop.call_soon_threadsafe(waiter.wake, key, payload)


LOCAL = _Local()
_redis_client = None


def _redis_url() -> str:
    return getattr(settings, "QUIZSERVER_LIVE_REDIS_URL", "")


def bus_is_shared() -> bool:
    """Whether notices travel between processes (Redis), rather than within this one."""
    return bool(_redis_url())


def notify(key: str, payload: str) -> None:
    """Tell every stream of ``key`` that it changed (call after the commit). Never raises: a Redis
    that cannot be reached is logged, and the streams catch up when their wait times out."""
    global _redis_client
    url = _redis_url()
    if not url:
        LOCAL.notify(key, payload)
        return
    try:
        import redis

        if _redis_client is None:
            _redis_client = redis.Redis.from_url(url, socket_timeout=1.0)
        _redis_client.publish(channel() + key, payload)
    except Exception as error:  # the broker down must not fail the instructor's click
        log.warning("live notice for %s not sent: %s", key, error)


class SyncWaiter:
    """Waits in a thread for the next notice of ``keys`` (in this process; see the module docstring)."""

    def __init__(self, keys: tuple[str, ...]):
        self.keys = keys
        with LOCAL.condition:
            self.seen = {key: LOCAL.counters.get(key, 0) for key in keys}

    def wait(self, timeout: float) -> bool:
        """True when a notice came within ``timeout`` seconds (then the next wait waits for a newer one)."""
        with LOCAL.condition:
            changed = LOCAL.condition.wait_for(
                lambda: any(LOCAL.counters.get(k, 0) != self.seen[k] for k in self.keys), timeout=timeout)
            self.seen = {key: LOCAL.counters.get(key, 0) for key in self.keys}
        return changed


class AsyncWaiter:
    """Waits in an event loop for the next notice of ``keys``: from Redis when configured (one
    subscription per process, ``_Hub``), else from this process."""

    def __init__(self, keys: tuple[str, ...]):
        self.keys = keys
        self.event = asyncio.Event()
        self.payload: str | None = None
        self.loop = asyncio.get_running_loop()

    def wake(self, key: str, payload: str) -> None:
        if key in self.keys:
            self.payload = payload
            self.event.set()

    async def __aenter__(self):
        if _redis_url():
            await HUB.add(self)
        else:
            with LOCAL.condition:
                LOCAL.loops.add((self.loop, self))
        return self

    async def __aexit__(self, *exc) -> None:
        if _redis_url():
            HUB.remove(self)
        else:
            with LOCAL.condition:
                LOCAL.loops.discard((self.loop, self))

    async def wait(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self.event.wait(), timeout)
        except TimeoutError:
            return False
        self.event.clear()
        return True


class _Hub:
    """The process's one Redis subscription, waking the ``AsyncWaiter``s of its event loop."""

    def __init__(self):
        self.waiters: set[AsyncWaiter] = set()
        self.task: asyncio.Task | None = None

    async def add(self, waiter: AsyncWaiter) -> None:
        self.waiters.add(waiter)
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self.listen())

    def remove(self, waiter: AsyncWaiter) -> None:
        self.waiters.discard(waiter)

    async def listen(self) -> None:
        import redis.asyncio

        while True:
            try:
                client = redis.asyncio.Redis.from_url(_redis_url())
                async with client.pubsub() as pubsub:
                    prefix = channel()
                    await pubsub.psubscribe(prefix + "*")
                    async for message in pubsub.listen():
                        if message["type"] != "pmessage":
                            continue
                        key = message["channel"].decode()[len(prefix):]
                        payload = message["data"].decode()
                        for waiter in list(self.waiters):
                            waiter.wake(key, payload)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # Redis restarted: streams fall back on their timeouts meanwhile
                log.warning("live subscription lost, retrying in 1 s: %s", error)
                await asyncio.sleep(1.0)


HUB = _Hub()
