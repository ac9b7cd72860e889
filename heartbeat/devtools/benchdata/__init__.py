"""A large, realistic data set for benchmarks, written fast with bulk inserts.

Deterministic from a seed. Most participants sit early on the ladder with few sessions; a few
marathoners have thousands. Awards are computed with the same pure rules the milestone engine
uses (``progress.rules``), so the data set is consistent: every award has its evidence.

Rows get explicit ids (so sessions can point at participants without reading anything back), in
chunks through ``insert()`` executemany; on PostgreSQL the id sequences are moved past them.

The modules: ``people`` (centres, staff, participants), ``sessions``, ``awards``, ``writing``
(bulk inserts) and ``seed`` (``seed_bench``, which draws them all from one generator in a fixed
order: change that order and the same seed gives other data).
"""

from __future__ import annotations

from heartbeat.devtools.benchdata.seed import BENCH_PASSWORD, BenchSummary, seed_bench

__all__ = ["BENCH_PASSWORD", "BenchSummary", "seed_bench"]
