"""The benchmark's verdicts and table: built pages against their budgets as a
share of /healthz, the mix beside them, and the jobs' timings."""

from pathlib import Path

from bench import mix
from bench.runner import PageResult, keep_faster, page_results, render_table


def _page(name, rps, ratio, verdict, min_ratio=0.08):
    return {
        "name": name,
        "median_rps": rps,
        "median_ratio": ratio,
        "min_ratio": None if name == "healthz" else min_ratio,
        "median_p99_ms": 40.0,
        "queries": 6,
        "verdict": verdict,
        "note": "",
    }


def test_pages_pass_at_008_of_healthz_and_the_admin_changelist_at_004():
    def measured(name, ratio, p99=80.0):
        page = PageResult(name, "/")
        page.rps, page.ratio, page.p99_ms = [100.0], [ratio], [p99]
        return page.verdict()

    assert measured("asks", 0.08) == "PASS"
    assert measured("asks", 0.079) == "FAIL"
    assert measured("asks", 0.2, p99=150.0) == "FAIL"
    assert measured("admin ask changelist", 0.04) == "PASS"
    assert measured("admin ask changelist", 0.039) == "FAIL"
    assert measured("mix (20 users)", 0.07) == "FAIL"


def test_the_bench_table_shows_built_pages_and_the_mix_with_budgets_and_verdicts():
    report = {
        "started_at": "2026-12-02T22:00:00+01:00",
        "machine": {"commit": "abc1234", "cpus": 2, "cpu_model": "AMD EPYC"},
        "database": "postgresql",
        "options": {"connections": 16, "threads": 2, "duration": 5, "rounds": 3, "scale": 1.0},
        "pages": [
            _page("healthz", 2400.0, None, "PASS"),
            _page("asks", 240.0, 0.1, "PASS"),
            _page("admin ask changelist", 48.0, 0.02, "FAIL", min_ratio=0.04),
        ],
        "mix": {**_page("mix (20 users)", 168.0, 0.07, "FAIL"), "note": "60 notes written"},
    }

    lines = render_table(report).splitlines()

    rows = {line.split("  ")[0].strip(): line.split() for line in lines if line[:1].isalpha() and "  " in line}
    assert rows["asks"][1:4] + rows["asks"][-1:] == ["240.0", "0.10", "0.08", "PASS"]
    assert [*rows["admin ask changelist"][3:6], rows["admin ask changelist"][-1]] == ["48.0", "0.02", "0.04", "FAIL"]
    mix_line = next(line for line in lines if line.startswith("mix"))
    assert "0.07" in mix_line and "FAIL" in mix_line and "60 notes written" in mix_line
    assert lines.index(mix_line) > lines.index(next(line for line in lines if line.startswith("admin")))
    assert not any("PAGE_CACHE" in line or "WARNING" in line for line in lines)


def test_a_small_scale_run_says_its_verdicts_do_not_count():
    report = {
        "started_at": "2026-12-02T22:00:00+01:00",
        "machine": {"commit": "abc1234", "cpus": 2, "cpu_model": "AMD EPYC"},
        "database": "postgresql",
        "options": {"connections": 16, "threads": 2, "duration": 1, "rounds": 1, "scale": 0.05},
        "pages": [_page("healthz", 2400.0, None, "PASS")],
    }
    assert "not meaningful" in render_table(report)


def test_the_mix_counts_only_when_every_session_stayed_signed_in_and_notes_were_saved():
    wrk = {"rps": 150.0, "non_2xx": 0, "socket_errors": "", "requests": 900}

    assert mix.check_tallies({**wrk, "output": "mix: writes 45 signed_out 0 unexpected 0\n"}) == {
        "writes": 45,
        "problem": "",
    }
    assert "sign in" in mix.check_tallies({**wrk, "output": "mix: writes 45 signed_out 3 unexpected 0"})["problem"]
    assert "unexpected" in mix.check_tallies({**wrk, "output": "mix: writes 40 signed_out 0 unexpected 5"})["problem"]
    assert mix.check_tallies({**wrk, "output": "mix: writes 0 signed_out 0 unexpected 0"})["problem"]
    assert mix.check_tallies({**wrk, "output": "Requests/sec: 150"})["problem"]


def test_the_sessions_file_lists_each_user_then_their_paths(tmp_path: Path):
    users = [
        mix.SignedIn("a@x.org", "sessionid=s1; csrftoken=c1", "t1", ["/asks/1/"], ["/campaigns/a/"], ["/asks/1/note/"]),
        mix.SignedIn("b@x.org", "sessionid=s2; csrftoken=c2", "t2", ["/asks/2/"], ["/campaigns/b/"], ["/asks/2/note/"]),
    ]
    path = tmp_path / "bench" / "mix-sessions.tsv"

    mix.write_sessions(users, path)

    assert path.read_text().splitlines()[:4] == [
        "user\tsessionid=s1; csrftoken=c1\tt1",
        "ask\t/asks/1/",
        "campaign\t/campaigns/a/",
        "note\t/asks/1/note/",
    ]


def test_a_jobs_second_timing_counts_only_when_faster():
    results = {
        "digests": {"state": "ok", "seconds": 7.4, "queries": 37, "items": 498, "function": "digests_send"},
        "reminder_scan": {"state": "ok", "seconds": 0.10, "queries": 10, "items": 6878},
    }
    keep_faster(results, {"digests": {"state": "ok", "seconds": 4.9, "queries": 37, "items": 498}})
    keep_faster(results, {"reminder_scan": {"state": "ok", "seconds": 0.13, "queries": 10, "items": 6878}})
    keep_faster(results, {"digests": {"state": "error", "note": "crashed"}})

    assert results["digests"] == {
        "state": "ok",
        "seconds": 4.9,
        "queries": 37,
        "items": 498,
        "function": "digests_send",
        "earlier_seconds": 7.4,
    }
    assert results["reminder_scan"]["seconds"] == 0.10


def test_public_pages_are_measured_built_at_010_and_served_from_the_cache_at_05():
    def measured(name, ratio):
        page = PageResult(name, "/")
        page.rps, page.ratio, page.p99_ms = [100.0], [ratio], [20.0]
        return page.verdict()

    assert measured("public ask (built)", 0.10) == "PASS"
    assert measured("public ask (built)", 0.099) == "FAIL"
    assert measured("public ask (cached)", 0.5) == "PASS"
    assert measured("public ask (cached)", 0.49) == "FAIL"


def test_each_public_page_has_a_built_line_on_the_second_server_and_a_cached_line():
    prepared = {
        "showcase_ask_id": 1,
        "campaign_slug": "bench-001",
        "campaign_id": 1,
        "public_ask_id": "abcdefgh",
        "queries": {"public ask": 7, "public ask (cached)": 2, "asks": 6},
    }
    pages = {page.name: page for page in page_results(prepared)}
    built, cached = pages["public ask (built)"], pages["public ask (cached)"]
    assert built.path == cached.path == "/p/bench-001/abcdefgh/"
    assert (built.server, built.queries) == ("built", 7)
    assert (cached.server, cached.queries) == ("main", 2)
    assert {"public campaign (built)", "public feed (cached)"} <= set(pages)
    assert "public ask" not in pages and pages["asks"].server == "main"
