import json

from bench import run

MACHINE = {
    "host": "bench-host",
    "os": "Linux-test",
    "cpu": "Test CPU",
    "cores": 2,
    "memory_gib": 4.0,
    "load_average_at_start": [0.1, 0.2, 0.3],
    "versions": {"python": "3.11.0", "django": "5.2", "database": "postgresql 150020"},
    "commit": "abc1234",
}


def _run(rps, p50=10.0, p99=20.0, statuses=None, median=None):
    return {
        "throughput_rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "median_ms": median if median is not None else p50,
        "statuses": statuses or {"200": 100},
        "errors": 0,
    }


def _report(figures):
    return {
        "quick": True,
        "finished_at": "2026-01-01T00:00:00+00:00",
        "seconds": 12.5,
        "machine": MACHINE,
        "plan": {},
        "program": {"groups": 3, "answers": 1000},
        "figures": [run.asdict(f) for f in figures],
    }


def test_report_json_lists_figures_with_name_value_unit_target_met(tmp_path):
    figures = run.checkin_figures([_run(60), _run(70), _run(80)], [_run(100)] * 3, run.plan_for(True))

    run.write_report(_report(figures), tmp_path)

    saved = json.loads((tmp_path / "latest.json").read_text())
    assert saved["machine"]["versions"]["django"] == "5.2"
    assert saved["figures"]
    for figure in saved["figures"]:
        assert {"name", "value", "unit", "target", "met"} <= set(figure)
    ratio = next(f for f in saved["figures"] if f["name"] == "Check-in throughput / floor")
    assert ratio == {**ratio, "value": 0.7, "unit": "ratio", "target": ">= 0.5", "met": True}


def test_markdown_report_has_machine_versions_and_a_row_per_figure(tmp_path):
    figures = [
        run.Figure("Admin program view", 612.0, "ms", "< 500", False),
        run.Figure("Peak memory of a web worker", 101.5, "MiB", "reported", None),
    ]

    run.write_report(_report(figures), tmp_path)

    text = (tmp_path / "latest.md").read_text()
    assert "Test CPU, 2 cores" in text
    assert text.startswith("# Benchmark (QUICK) on postgresql, ")
    assert "- Database: postgresql 150020" in text
    assert "python 3.11.0, django 5.2" in text
    assert "| Admin program view | 612.0 | ms | < 500 | **no** |" in text
    assert "| Peak memory of a web worker | 101.5 | MiB | reported |  |" in text


def test_checkin_ratio_is_median_over_median_and_misses_below_half():
    figures = run.checkin_figures(
        [_run(40), _run(45), _run(90)], [_run(100), _run(110), _run(95)], run.plan_for(True)
    )

    by_name = {f.name: f for f in figures}
    assert by_name["Check-in submissions per second"].value == 45
    assert by_name["Raw-insert floor per second"].value == 100
    assert by_name["Check-in throughput / floor"].value == 0.45
    assert by_name["Check-in throughput / floor"].met is False


def test_checkin_figures_do_not_count_refused_submissions_as_met():
    refused = _run(100, statuses={"200": 90, "429": 10})
    figures = run.checkin_figures([refused] * 3, [_run(100)] * 3, run.plan_for(True))

    ratio = next(f for f in figures if f.name == "Check-in throughput / floor")
    assert ratio.value == 1.0
    assert ratio.met is False
    assert "non-200 or failed check-ins: 30" in figures[0].note


def test_p99_target_is_under_100_ms():
    slow = run.checkin_figures([_run(100, p99=140)] * 3, [_run(100)] * 3, run.plan_for(True))
    fast = run.checkin_figures([_run(100, p99=60)] * 3, [_run(100)] * 3, run.plan_for(True))

    assert next(f for f in slow if f.name == "Check-in p99 latency").met is False
    assert next(f for f in fast if f.name == "Check-in p99 latency").met is True


def test_trend_figures_compare_largest_with_smallest_and_count_queries():
    times = {10: [_run(1, median=10)] * 3, 100: [_run(1, median=12)] * 3, 1000: [_run(1, median=14)] * 3}
    figures = run.trend_figures(times, {10: (200, 7), 100: (200, 7), 1000: (200, 12)})

    by_name = {f.name: f for f in figures}
    assert by_name["Trend page time, 1000 / 10 sessions"].value == 1.4
    assert by_name["Trend page time, 1000 / 10 sessions"].met is True
    assert by_name["Trend page queries, 10 sessions"].met is True
    assert by_name["Trend page queries, 1000 sessions"].met is False


def test_trend_queries_are_not_met_when_the_page_did_not_answer():
    times = {10: [_run(1, median=10, statuses={"302": 3})] * 3}
    figures = run.trend_figures(times, {10: (302, 3)})

    assert next(f for f in figures if f.name == "Trend page queries, 10 sessions").met is False


def test_the_form_page_is_reported_against_the_same_floor():
    figures = run.form_page_figures([_run(300), _run(400), _run(500)], [_run(1000)] * 3)
    by_name = {f.name: f for f in figures}
    assert by_name["Check-in form page (GET) per second"].value == 400
    assert by_name["Form page throughput / floor"].value == 0.4
    assert "non-200 or failed: 0" in by_name["Check-in form page (GET) per second"].note


def test_the_in_process_cost_and_its_profile_are_in_the_report(tmp_path):
    measured = {
        "count": 300,
        "cpu_ms_checkin": 6.9,
        "cpu_ms_floor": 0.6,
        "statuses": {"200": 620},
        "stored": 620,
        "steps": [
            {"step": "Window lookup by code", "function": "window_for_code", "ms_per_checkin": 2.1},
            {"step": "The submit transaction", "function": "checkin_submit", "ms_per_checkin": 2.7},
        ],
    }
    figures = run.inprocess_figures(measured)
    by_name = {f.name: f for f in figures}
    assert by_name["Check-in CPU per POST, in-process"].value == 6.9
    note = by_name["Check-in CPU per POST, in-process"].note
    assert "time.process_time over 300 check-in POSTs" in note and "620 of 620 stored" in note
    assert by_name["Check-in CPU / floor CPU, in-process"].value == 11.5

    run.write_report({**_report(figures), "profile": measured}, tmp_path)
    text = (tmp_path / "latest.md").read_text()
    assert "## Where a check-in's time goes (cProfile over 300 POSTs, in-process)" in text
    assert "| Window lookup by code | `window_for_code` | 2.1 |" in text
    assert json.loads((tmp_path / "latest.json").read_text())["profile"]["cpu_ms_checkin"] == 6.9
