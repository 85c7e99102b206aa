"""Weekly progress summaries: the figures, once per week, and the campaign page chart."""

import datetime
import zoneinfo

import pytest
import time_machine

from campaign.models import Ask, Evidence, ProgressSummary
from campaign.services import ask_change_status
from campaign.summaries import summaries_compile, summary_chart_data
from tests.factories import AskFactory, EvidenceFactory, outcome_for

ZURICH = zoneinfo.ZoneInfo("Europe/Zurich")
MONDAY = datetime.datetime(2026, 3, 9, 6, 0, tzinfo=ZURICH)


def travel(day, hour=10):
    return time_machine.travel(datetime.datetime(2026, 3, day, hour, tzinfo=ZURICH), tick=False)


@pytest.fixture
def week_of_work(campaign, target, editor, lead):
    """Week of 2–8 March 2026: a new ask, a status change, evidence of each sensitivity."""
    with time_machine.travel(datetime.datetime(2026, 2, 1, 10, tzinfo=ZURICH), tick=False):
        old = AskFactory(
            campaign=campaign, target=target, owner=editor, title="Old ask", deadline=datetime.date(2026, 3, 1)
        )
        met = AskFactory(
            campaign=campaign, target=target, owner=editor, title="Met ask", deadline=datetime.date(2026, 3, 20)
        )
        outcome = outcome_for(met)  # its evidence added before the week
    with travel(3):
        AskFactory(campaign=campaign, target=target, owner=lead, title="New ask", deadline=datetime.date(2026, 3, 25))
        ask_change_status(ask=met, new_status=Ask.Status.MET, author=lead, note="Published on the 3rd.", **outcome)
        EvidenceFactory(campaign=campaign, kind="statement", assessment="shows_progress", sensitivity="public")
        EvidenceFactory(campaign=campaign, kind="testimony", sensitivity="confidential", title="Witness A in Urumqi")
    return old


def test_weekly_summary_counts_asks_and_what_changed(week_of_work, campaign):
    with time_machine.travel(MONDAY, tick=False):
        [summary] = summaries_compile()
    assert summary.period_start == datetime.datetime(2026, 3, 2, tzinfo=ZURICH)
    assert summary.period_end == datetime.datetime(2026, 3, 9, tzinfo=ZURICH)
    figures = summary.figures
    assert figures["total_asks"] == 3
    assert figures["asks_by_status"]["open"] == 2 and figures["asks_by_status"]["met"] == 1
    assert figures["met_or_partially_met_share"] == round(1 / 3, 3)
    assert figures["met_with_support"] == 1 and figures["outcomes_by_response"]["supported"] == 1
    [change] = figures["status_changes"]
    assert (change["ask_title"], change["new_status"], change["note"]) == ("Met ask", "met", "Published on the 3rd.")
    assert [ask["title"] for ask in figures["new_asks"]] == ["New ask"]
    assert figures["new_evidence"] == {"count": 1, "by_kind": {"statement": 1}, "by_assessment": {"shows_progress": 1}}
    assert [ask["title"] for ask in figures["deadlines_next_30_days"]] == ["New ask"]
    assert [ask["title"] for ask in figures["overdue"]] == ["Old ask"]
    assert [ask["title"] for ask in figures["stale"]] == ["Old ask"]


def test_summary_never_names_or_counts_confidential_evidence(week_of_work):
    with time_machine.travel(MONDAY, tick=False):
        [summary] = summaries_compile()
    assert "Witness A" not in str(summary.figures)
    assert "testimony" not in str(summary.figures)
    assert Evidence.objects.filter(sensitivity="confidential").count() == 1


def test_compiling_twice_stores_one_summary_per_period(week_of_work):
    with time_machine.travel(MONDAY, tick=False):
        assert len(summaries_compile()) == 1
        assert summaries_compile() == []
    assert ProgressSummary.objects.count() == 1


def test_chart_data_is_the_history_of_status_counts(week_of_work, campaign, django_assert_num_queries):
    for day in (9, 16):
        with travel(day, 7):
            summaries_compile()
    with django_assert_num_queries(1):
        chart = summary_chart_data(campaign)
    assert chart["labels"] == ["2026-03-09", "2026-03-16"]
    met = next(dataset for dataset in chart["datasets"] if dataset["status"] == "met")
    assert met["data"] == [1, 1]
    assert chart["rows"][0]["label"] == "2026-03-09"


def test_campaign_page_shows_the_chart_with_a_table_fallback(week_of_work, campaign, viewer, client):
    with time_machine.travel(MONDAY, tick=False):
        summaries_compile()
    client.force_login(viewer)
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert '<canvas id="summary-chart"' in page
    assert 'id="summary-chart-data"' in page
    assert "Asks by status at the end of each week" in page
    assert "/static/js/summary-chart.js" in page
