"""The shared counters of courses.rate_limits: windows, forgetting, and no usernames stored."""

import pytest

from courses.models import RateCount
from courses.rate_limits import hits_add, hits_clear, hits_get

pytestmark = pytest.mark.django_db


def test_counts_within_the_window_then_starts_again():
    counts = [hits_add(scope="t", ident="x", window=60, now=1000 + second) for second in (0, 10, 59)]
    assert counts == [1, 2, 3] and hits_get(scope="t", ident="x", now=1059) == 3
    assert hits_get(scope="t", ident="x", now=1060) == 0  # the window opened at 1000 closed at 1060
    assert hits_add(scope="t", ident="x", window=60, now=1060) == 1


def test_scopes_and_identities_count_apart_and_clear_alone():
    hits_add(scope="login", ident="alice", window=60)
    hits_add(scope="login", ident="alice", window=60)
    hits_add(scope="login", ident="bob", window=60)
    hits_add(scope="enrol", ident="alice", window=60)
    hits_clear(scope="login", ident="alice")
    found = [hits_get(scope=s, ident=i) for s, i in [("login", "alice"), ("login", "bob"), ("enrol", "alice")]]
    assert found == [0, 1, 1]


def test_closed_windows_are_deleted_when_a_window_opens_and_no_identity_is_stored():
    hits_add(scope="t", ident="203.0.113.9|alice", window=60, now=1000)
    hits_add(scope="t", ident="still-open", window=6000, now=1000)
    hits_add(scope="t", ident="new", window=60, now=2000)
    keys = list(RateCount.objects.values_list("key", flat=True))
    assert len(keys) == 2 and hits_get(scope="t", ident="still-open", now=2000) == 1
    assert not any("alice" in key or "still-open" in key for key in keys)  # hashed


RACER = """
import time, django
django.setup()
from courses.rate_limits import hits_add
start_at = float({start_at!r})
while time.time() < start_at:
    time.sleep(0.005)
print(max(hits_add(scope="race", ident="x", window=600) for _ in range({hits})))
"""


def test_processes_counting_at_once_lose_no_count(shared_site):
    """Three processes count 1500 events each at the same moment: the last count is 4500. (A read
    then a write, as Django's database cache increments, loses the counts that interleave.)"""
    import time

    script = RACER.format(start_at=time.time() + 4, hits=1500)
    racers = [shared_site.start("-c", script) for _ in range(3)]
    counts = [int(shared_site.finish(racer)) for racer in racers]
    assert max(counts) == 4500
