"""Figures pulled out of a page's HTML, for tests: each one fails the test when it is not there.

A regular expression over HTML returns ``None`` (or ``[]``) when the markup changes, and two
``None`` compare equal: a test that compares what it extracted without checking that it found
anything can pass while proving nothing. ``extract`` and ``extract_all`` assert first.
"""

import re


def extract(pattern: str, html: str) -> str:
    """The first group of ``pattern`` (the whole match if it has no group) at its first match in
    ``html``; fails the test, quoting the pattern, when nothing matches."""
    match = re.search(pattern, html)
    assert match is not None, f"no match for {pattern!r} in the page ({len(html)} characters)"
    return match.group(1) if match.re.groups else match.group(0)


def extract_all(pattern: str, html: str) -> list[str]:
    """Every match of ``pattern`` in ``html`` (as ``re.findall`` gives them); fails the test when
    there is none."""
    found = re.findall(pattern, html)
    assert found, f"no match for {pattern!r} in the page ({len(html)} characters)"
    return found
