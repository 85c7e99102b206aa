"""The dashboard and the campaign pages."""

import datetime
from urllib.parse import urlencode

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from campaign import selectors
from campaign.models import Campaign
from campaign.views.rendering import VIEWER_EVERYWHERE_NOTE, VIEWER_NOTE, render_page

DUE_SOON_DAYS = 14


def scope_actions(scope) -> dict:
    """Whether the user may record asks anywhere, and the one line that says why not."""
    can_record = bool(scope.editable_ids)
    return {"can_record": can_record, "role_note": VIEWER_EVERYWHERE_NOTE if scope.ids and not can_record else ""}


@require_GET
def dashboard(request):
    user = request.user
    scope = selectors.campaign_scope(user)
    today = timezone.localdate()
    counts = selectors.ask_counts(user, scope, today=today, due_soon_days=DUE_SOON_DAYS)
    context = {
        "today": today,
        "now_moment": timezone.now(),
        "my_open_asks": selectors.my_open_asks(user, scope),
        "overdue_asks": selectors.overdue_asks(scope, today),
        "due_soon_asks": selectors.asks_due_within(scope, days=DUE_SOON_DAYS, today=today),
        "counts": counts,
        "due_soon_days": DUE_SOON_DAYS,
        # The full lists behind each panel, on the ask list's filters.
        "overdue_query": urlencode({"overdue": "on", "sort": "deadline"}),
        "due_soon_query": urlencode(
            {
                "open": "on",
                "deadline_from": today.isoformat(),
                "deadline_to": (today + datetime.timedelta(days=DUE_SOON_DAYS)).isoformat(),
                "sort": "deadline",
            }
        ),
        "mine_query": urlencode({"mine": "on", "open": "on", "sort": "deadline"}),
        "latest_updates": selectors.latest_updates(scope),
        "progress": selectors.campaign_progress(scope, counts),
        **scope_actions(scope),
    }
    return render_page(request, "campaign/dashboard.html", context, title="Dashboard")


@require_GET
def campaign_list(request):
    campaigns = Campaign.objects.visible_to(request.user).order_by("status", "title")
    return render(request, "campaign/campaign_list.html", {"campaigns": list(campaigns)})


@require_GET
def campaign_detail(request, slug):
    campaign = selectors.get_campaign_for(request.user, slug)
    asks_by_target, tally = selectors.campaign_asks_by_target(campaign)
    can_edit = selectors.role_grants(campaign.user_role, "edit")
    context = {
        "campaign": campaign,
        "today": timezone.localdate(),
        "can_edit": can_edit,
        "role_note": "" if can_edit else VIEWER_NOTE,
        "asks_by_target": asks_by_target,
        "tally": tally,
        "outcomes": selectors.outcome_tally([campaign.pk])[campaign.pk],
        "asks_shown": sum(len(asks) for _, asks in asks_by_target),
        "members": selectors.campaign_members(campaign),
        "recent_evidence": selectors.recent_evidence_for(request.user, campaign, limit=6),
        "evidence_count": selectors.campaign_evidence_for(campaign).count(),
        "summary_chart": render_to_string("campaign/_summary_chart.html", {"campaign": campaign}),
    }
    return render_page(request, "campaign/campaign.html", context, title=campaign.title)
