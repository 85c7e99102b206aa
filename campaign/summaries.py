"""Weekly progress summaries: a campaign's figures for one period, compiled by a
job and stored (``ProgressSummary``) so the campaign page can show a history.

Figures never name confidential evidence: evidence is only counted, by kind and
assessment, and confidential pieces are left out of the counts too, because the
summary is shown to every member and goes into digests.
"""

import datetime
import zoneinfo
from collections import Counter

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from campaign.models import CLOSED_STATUSES, Ask, AskStatus, Campaign, Evidence, ProgressSummary, TargetResponse, Update
from campaign.selectors import ask_tally, outcome_tally

DEADLINE_HORIZON_DAYS = 30
CHART_PERIODS = 26


def summary_period(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The last whole week, Monday 00:00 to Monday 00:00 in the site's time zone."""
    local = now.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    monday = local.date() - datetime.timedelta(days=local.weekday())
    end = datetime.datetime.combine(monday, datetime.time(), tzinfo=local.tzinfo)
    start = datetime.datetime.combine(monday - datetime.timedelta(days=7), datetime.time(), tzinfo=local.tzinfo)
    return start, end


def _ask_brief(ask: Ask, today: datetime.date) -> dict:
    return {
        "id": ask.pk,
        "title": ask.title,
        "deadline": ask.deadline.isoformat() if ask.deadline else None,
        "owner": str(ask.owner) if ask.owner else None,
        "days_left": ask.days_left(today),
    }


def summary_figures(*, campaign: Campaign, start: datetime.datetime, end: datetime.datetime) -> dict:
    """The figures as they stood at ``end``, and what changed in [start, end)."""
    today = timezone.localdate(end)
    asks = list(campaign.asks.select_related("owner").filter(created_at__lt=end))
    by_status = Counter(ask.status for ask in asks)
    counted = [ask for ask in asks if ask.status not in (AskStatus.DRAFT, AskStatus.WITHDRAWN)]
    met = sum(1 for ask in counted if ask.status in (AskStatus.MET, AskStatus.PARTIALLY_MET))
    open_asks = [ask for ask in asks if ask.status not in CLOSED_STATUSES]
    stale_before = end - datetime.timedelta(days=campaign.stale_after_days)
    outcomes = outcome_tally([campaign.pk])[campaign.pk]
    changes = (
        Update.objects.filter(campaign=campaign, created_at__gte=start, created_at__lt=end)
        .exclude(new_status="")
        .select_related("ask", "author")
        .order_by("created_at")
    )
    evidence = Evidence.objects.not_confidential().filter(campaign=campaign, added_at__gte=start, added_at__lt=end)
    return {
        "total_asks": ask_tally(ask.status for ask in asks).total,
        "asks_by_status": {status: by_status.get(status, 0) for status in AskStatus.values},
        "met_or_partially_met_share": round(met / len(counted), 3) if counted else None,
        "met_with_support": outcomes.met_with_support,
        "outcomes_by_response": {
            response: outcomes.of(AskStatus.MET, response)
            + outcomes.of(AskStatus.PARTIALLY_MET, response)
            + outcomes.of(AskStatus.NOT_MET, response)
            for response in TargetResponse.values
        },
        "status_changes": [
            {
                "ask_id": update.ask_id,
                "ask_title": update.ask.title,
                "old_status": update.old_status,
                "new_status": update.new_status,
                "note": update.note,
                "author": str(update.author) if update.author else None,
                "at": update.created_at.isoformat(),
            }
            for update in changes
        ],
        "new_asks": [_ask_brief(ask, today) for ask in asks if ask.created_at >= start],
        "new_evidence": {
            "count": evidence.count(),
            "by_kind": dict(evidence.values_list("kind").annotate(n=Count("id")).order_by()),
            "by_assessment": dict(evidence.values_list("assessment").annotate(n=Count("id")).order_by()),
        },
        "deadlines_next_30_days": [
            _ask_brief(ask, today)
            for ask in sorted(open_asks, key=lambda ask: (ask.deadline or today, ask.pk))
            if ask.deadline and 0 <= (ask.deadline - today).days <= DEADLINE_HORIZON_DAYS
        ],
        "overdue": [_ask_brief(ask, today) for ask in open_asks if ask.deadline and ask.deadline < today],
        "stale": [_ask_brief(ask, today) for ask in open_asks if ask.last_activity_at < stale_before],
    }


def summary_compile(*, campaign: Campaign, start: datetime.datetime, end: datetime.datetime) -> ProgressSummary | None:
    """Store the campaign's summary for the period; None if it already exists."""
    if ProgressSummary.objects.filter(campaign=campaign, period_start=start, period_end=end).exists():
        return None
    figures = summary_figures(campaign=campaign, start=start, end=end)
    try:
        with transaction.atomic():
            return ProgressSummary.objects.create(
                campaign=campaign, period_start=start, period_end=end, figures=figures
            )
    except IntegrityError:  # another run stored it meanwhile
        return None


def summaries_compile(*, now: datetime.datetime | None = None, dry_run: bool = False) -> list:
    """Last week's summary for every campaign that is not closed."""
    start, end = summary_period(now or timezone.now())
    campaigns = Campaign.objects.exclude(status=Campaign.Status.CLOSED).exclude(
        summaries__period_start=start, summaries__period_end=end
    )
    if dry_run:
        return [(campaign, start, end) for campaign in campaigns]
    compiled = (summary_compile(campaign=campaign, start=start, end=end) for campaign in campaigns)
    return [summary for summary in compiled if summary is not None]


def summary_chart_data(campaign: Campaign) -> dict:
    """Status counts over time from the stored summaries, for the campaign page's chart."""
    summaries = list(
        ProgressSummary.objects.filter(campaign=campaign)
        .order_by("-period_end")
        .values("period_end", "figures")[:CHART_PERIODS]
    )[::-1]
    labels = [timezone.localdate(row["period_end"]).isoformat() for row in summaries]
    datasets = [
        {
            "status": status,
            "label": label,
            "data": [row["figures"].get("asks_by_status", {}).get(status, 0) for row in summaries],
        }
        for status, label in AskStatus.choices
    ]
    datasets = [dataset for dataset in datasets if any(dataset["data"])]
    # The same figures row by row, for the table that stands in for the chart.
    rows = [
        {"label": label, "values": [dataset["data"][index] for dataset in datasets]}
        for index, label in enumerate(labels)
    ]
    return {"labels": labels, "datasets": datasets, "rows": rows}
