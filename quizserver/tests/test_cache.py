"""``FallbackRedisCache`` (quizserver/cache.py) with Redis unreachable: every operation answers from
the process's stand-in instead of raising, and says so in the log once.

A Unix socket that does not exist is a Redis that is down; the real outage (a redis-server stopped
under the running site, then started again) is ``test_faults.py``.
"""

import logging

from quizserver.cache import FallbackRedisCache


def down_cache(tmp_path, **params) -> FallbackRedisCache:
    return FallbackRedisCache(f"unix://{tmp_path}/no-redis.sock", params)


def test_reads_miss_and_writes_land_in_the_stand_in(tmp_path):
    cache = down_cache(tmp_path, KEY_PREFIX="t1")
    assert cache.get("rendered", "missing") == "missing" and cache.get_many(["a", "b"]) == {}
    cache.set("rendered", "<p>x</p>")
    cache.set_many({"a": 1, "b": 2})
    assert cache.get("rendered") == "<p>x</p>" and cache.get_many(["a", "b"]) == {"a": 1, "b": 2}
    assert cache.has_key("a") and cache.touch("a", 60)
    cache.delete_many(["a", "b"])
    assert cache.delete("rendered") and cache.get_many(["a", "b", "rendered"]) == {}


def test_counting_works_while_redis_is_down(tmp_path):
    cache = down_cache(tmp_path, KEY_PREFIX="t2")
    assert cache.add("count", 1, timeout=60) is True and cache.add("count", 1) is False
    assert cache.incr("count") == 2 and cache.decr("count") == 1
    cache.clear()
    assert cache.get("count") is None


def test_the_outage_is_logged_once_not_per_operation(tmp_path, caplog):
    cache = down_cache(tmp_path, KEY_PREFIX="t3")
    with caplog.at_level(logging.WARNING, logger="quizserver.cache"):
        for _ in range(5):
            cache.get("x")
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "Redis cache unreachable, using this process's memory until it is back"]

