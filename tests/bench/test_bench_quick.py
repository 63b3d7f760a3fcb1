"""The benchmark runner and the beat-assignment benchmark work end to end on a tiny size."""

from __future__ import annotations

import json

import pytest

from bench import bench_beat_assignment, run


@pytest.fixture
def tiny(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(bench_beat_assignment, "QUICK_POINTS", 5_000)
    monkeypatch.setattr(bench_beat_assignment, "QUICK_BEATS", 60)
    monkeypatch.setattr(bench_beat_assignment, "REPEATS", 1)


def test_the_runner_writes_json_results_with_identical_assignments(tiny, db, tmp_path, capsys):  # type: ignore[no-untyped-def]
    status = run.main(["--quick", "--output-dir", str(tmp_path), "beat_assignment"])
    assert status == 0
    record = json.loads((tmp_path / "beat_assignment.json").read_text())
    assert record["benchmark"] == "beat_assignment" and record["quick"] is True
    assert record["machine"]["cpu_count"] >= 1 and record["started_at"]
    results = record["results"]
    assert results["points"] == 5_000 and results["beats"] == 60
    assert results["index"]["points_per_s"] > 0 and results["index"]["build"]["wall_s"] > 0
    assert results["index"]["mismatches_vs_exact"] == 0
    for baseline in ("sjoin", "postgis"):
        assert results[baseline]["vs_exact"]["mismatches"] == 0
        assert results[baseline]["index_speedup"] > 0
    assert results["mismatches"] == 0
    assert "PolygonIndex" in capsys.readouterr().out


def test_an_unknown_benchmark_name_is_refused(tmp_path, capsys):  # type: ignore[no-untyped-def]
    assert run.main(["--output-dir", str(tmp_path), "no_such_benchmark"]) == 2
    assert "unknown benchmark" in capsys.readouterr().err
