"""The survey benchmark runs end to end on a tiny size and reports same-run ratios."""

from __future__ import annotations

import pytest

from bench import bench_volunteer_survey


@pytest.fixture
def tiny(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(bench_volunteer_survey, "QUICK_GROUPS", 400)
    monkeypatch.setattr(bench_volunteer_survey, "QUICK_MEMBERS", 20_000)
    monkeypatch.setattr(bench_volunteer_survey, "AGENCIES", 3)
    monkeypatch.setattr(bench_volunteer_survey, "STATIONS_PER_AGENCY", 4)
    monkeypatch.setattr(bench_volunteer_survey, "REPEATS", 1)


def test_the_survey_benchmark_reports_ratios_against_its_baseline(tiny, db) -> None:  # type: ignore[no-untyped-def]
    results = bench_volunteer_survey.run(quick=True)
    assert results["data"]["groups"] == 400 and results["data"]["members"] == 20_000
    assert 0 < results["counted_groups"] <= 400 and results["counted_members"] <= 20_000
    assert results["report_baseline_s"] > 0 and results["ratio_country_vs_baseline"] > 0
    assert len(results["summary"]) == 3
