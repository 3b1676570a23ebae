"""The load benchmark's floor: a bare Django page (login required, 10 rows, a small template),
installed only by ``bench.settings``."""
