"""The Redis cache backend of ``CACHE_URL``: Django's ``RedisCache``, kept serving while Redis is down.

Django's ``RedisCache`` raises on a connection error, so with Redis stopped every page that renders
author Markdown (cached by content) and every answer (its rate limit counts in the cache) would be a
500, and the answer would be lost with the rolled-back transaction. ``FallbackRedisCache`` does each
operation that finds Redis unreachable on a process-local ``LocMemCache`` instead, and goes back to
Redis by itself with the next operation that reaches it.
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
DEFAULT_TIMEOUTS = {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}  # a hung Redis costs 1 s, not forever
WARN_EVERY_SECONDS = 60.0  # one warning a minute per process while Redis is down, not one per operation
STAND_IN_PARAMS = ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION")


class FallbackRedisCache(RedisCache):
    """``RedisCache`` with a process-local stand-in for the time Redis cannot be reached.

    While Redis is down, reads miss or see what this process stored meanwhile, writes stay in this
    process, and the rate limits count per process (as they do without ``CACHE_URL``) rather than
    failing every request. Connect and socket timeouts default to ``DEFAULT_TIMEOUTS`` (``OPTIONS``
    may set others), so a Redis that hangs is treated like one that is down.
    """

    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**DEFAULT_TIMEOUTS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self.stand_in = LocMemCache(
            "quizserver-redis-stand-in", {name: params[name] for name in STAND_IN_PARAMS if name in params}
        )
        self.warned_at = float("-inf")

    def either(self, operation: str, *args, **kwargs):
        """``operation`` on Redis, or on the stand-in when Redis cannot be reached."""
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except UNREACHABLE as error:
            now = time.monotonic()
            if now - self.warned_at >= WARN_EVERY_SECONDS:
                self.warned_at = now
                log.warning("Redis cache unreachable, using this process's memory until it is back: %s", error)
            return getattr(self.stand_in, operation)(*args, **kwargs)

    # The operations RedisCache implements itself (the others are built on these).
    def add(self, *args, **kwargs):
        return self.either("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self.either("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self.either("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self.either("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self.either("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self.either("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self.either("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self.either("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self.either("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self.either("delete_many", *args, **kwargs)

    def clear(self):
        return self.either("clear")
