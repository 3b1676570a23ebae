"""Counters for rate limits that hold whatever the cache: one table, shared by every worker.

Failed logins (``courses.login_throttle``), wrong enrolment codes (``courses.services``) and
answers per minute (``quizzes.submissions``) count here.

Why a table and not the cache. Without ``CACHE_URL`` the cache is each process's own memory, so
with two gunicorn workers each counted alone (30 wrong passwords: 10 checked; 70 answers in 1.8 s:
60 accepted against 30 a minute). Django's database cache would share the count, but its ``incr``
is a read and then a write: concurrent requests, exactly what someone in a hurry sends, overwrite
each other's counts. Here one statement counts atomically on PostgreSQL and SQLite alike
(``INSERT … ON CONFLICT DO UPDATE … RETURNING``), and it is the same code with or without Redis,
so there is one path to test and no configuration in which the limits quietly fail open. It costs
one short write per counted event (an answer writes a row anyway; a failed login or a wrong code is
rare): 0.2-0.3 ms on SQLite, 0.55-0.6 ms on PostgreSQL (local, its commit not waiting for the
disk, see ``_count_transaction``). The rendered-Markdown cache stays on the fast cache.

A counter's window opens at its first event and lasts ``window`` seconds; the first event after it
opens a new window. Keys are hashed, so the table holds no usernames or addresses. Rows of closed
windows are deleted whenever a window opens (one indexed DELETE), so the table only holds the keys
counted in the last window.

Count outside a transaction that may roll back (a refused request): the count would roll back with it.
"""

import contextlib
import hashlib
import time

from django.conf import settings
from django.db import connection, transaction

from courses.models import RateCount


def client_address(request) -> str:
    """The client's address: behind our proxy (BEHIND_PROXY) the last hop it added to
    X-Forwarded-For, else REMOTE_ADDR (which would be the proxy's, shared by everyone)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _key(scope: str, ident: str) -> str:
    return f"{scope}:{hashlib.sha256(ident.encode()).hexdigest()}"


def hits_add(*, scope: str, ident: str, window: int, now: float | None = None) -> int:
    """Count one event of ``scope`` (e.g. "login-address") for ``ident`` (e.g. the address) and
    return how many there were in the current window, this one included."""
    now = int(time.time() if now is None else now)
    table, key, count, expires = (connection.ops.quote_name(name) for name in (
        RateCount._meta.db_table, "key", "count", "expires"))
    sql = (
        f"INSERT INTO {table} ({key}, {count}, {expires}) VALUES (%s, 1, %s) "
        f"ON CONFLICT ({key}) DO UPDATE SET "
        f"{count} = CASE WHEN {table}.{expires} <= %s THEN 1 ELSE {table}.{count} + 1 END, "
        f"{expires} = CASE WHEN {table}.{expires} <= %s THEN excluded.{expires} ELSE {table}.{expires} END "
        f"RETURNING {count}"
    )
    with _count_transaction(), connection.cursor() as cursor:
        cursor.execute(sql, [_key(scope, ident), now + window, now, now])
        (hits,) = cursor.fetchone()
        if hits == 1:  # a window opened: clear the closed ones
            cursor.execute(f"DELETE FROM {table} WHERE {expires} <= %s", [now])
    return hits


@contextlib.contextmanager
def _count_transaction():
    """A transaction whose commit, on PostgreSQL, does not wait for the disk: a count needs no
    durability (a crash forgets the last moment's counts), and the wait grows with the disk's other
    traffic (an autocommit UPDATE took 0.7 ms on an idle machine, 3.7 ms while tests wrote beside
    it; ``hits_add`` takes 0.55-0.6 ms either way). Inside a caller's transaction it only joins it,
    leaving that one's commit as it is."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def hits_get(*, scope: str, ident: str, now: float | None = None) -> int:
    """How many events of ``scope`` ``ident`` has in its current window (0 when none)."""
    now = int(time.time() if now is None else now)
    counts = RateCount.objects.filter(key=_key(scope, ident), expires__gt=now).values_list("count", flat=True)
    return counts.first() or 0


def hits_clear(*, scope: str, ident: str) -> None:
    """Forget ``ident``'s events of ``scope`` (e.g. after a successful login)."""
    RateCount.objects.filter(key=_key(scope, ident)).delete()
