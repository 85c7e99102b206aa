"""Suggestions from the public (issue 20): the public form, and the leads' queue.

The form lives on a page of its own, /p/<slug>/<public id>/suggest/, so the
ask's public page stays form-free and cacheable. The form page is a public path
(campaign.middleware: no session, no user, no cookie) but is never cached
(``never_cache``: no-store), since each copy carries a fresh token, and it may
not be framed (the site's default X-Frame-Options and frame-ancestors). Why it
is exempt from Django's CSRF check and what protects it instead:
campaign.suggestions.

The queue is for the campaign's leads (``get_campaign_for`` / ``get_suggestion_for``
with need="lead"): editors and viewers get 403, non-members 404.
"""

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign import public, selectors, suggestions
from campaign.forms_suggestions import SuggestionForm, is_bot
from campaign.views.public import HTML, not_found

STALE_FORM_MESSAGE = (
    "This form was too old or had been changed, so nothing was sent. Your text is still below: "
    "check it and send it again."
)
RATE_LIMITED = (
    "Too many suggestions came from your connection in the last hour, so this one was not sent. "
    "Your text is still below: please try again in an hour."
)


def _page(campaign, ask, *, form=None, notice: str = "", sent: bool = False, status: int = 200) -> HttpResponse:
    context = {
        "site_url": settings.SITE_URL,
        "campaign": campaign,
        "ask": ask,
        "token": suggestions.form_token(ask.public_id),
        "values": form.values() if form is not None and not sent else {},
        "errors": form.error_texts() if form is not None and form.is_bound and not sent else {},
        "notice": notice,
        "sent": sent,
    }
    content = render_to_string("suggest.html", context, using="public")
    return HttpResponse(content, content_type=HTML, status=status)


@login_not_required
@csrf_exempt  # no cookie to check against: see campaign.suggestions for what protects the form
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def suggest(request, slug, public_id):
    try:
        campaign = public.published_campaign(slug)
        ask = public.public_ask(campaign, public_id)
    except Http404:
        return not_found()
    if request.method != "POST":
        return _page(campaign, ask)
    if is_bot(request.POST):
        return _page(campaign, ask, sent=True)  # dropped silently: the bot learns nothing
    form = SuggestionForm(request.POST)
    ip_address = get_client_ip_address(request) or ""
    try:
        suggestions.token_check(request.POST.get("token", ""), ask.public_id)
    except suggestions.TokenError:
        form.is_valid()  # so the page shows what else needs correcting
        return _page(campaign, ask, form=form, notice=STALE_FORM_MESSAGE, status=400)
    if suggestions.rate_limit_hit(ip_address):
        return _page(campaign, ask, form=form, notice=RATE_LIMITED, status=429)
    if not form.is_valid():
        return _page(campaign, ask, form=form, notice="Nothing was sent yet: correct what is marked below.", status=400)
    suggestions.suggestion_submit(campaign_id=campaign.campaign_id, ask_id=ask.ask_id, **form.cleaned_data)
    suggestions.rate_limit_count(ip_address)
    return _page(campaign, ask, sent=True)


# --- The leads' queue ----------------------------------------------------------------


@require_GET
def campaign_suggestions(request, slug):
    campaign = selectors.get_campaign_for(request.user, slug, need="lead")
    context = {"campaign": campaign, "suggestions": suggestions.pending_suggestions(campaign)}
    return render(request, "campaign/campaign_suggestions.html", context)


DECISIONS = {
    "update": (suggestions.suggestion_accept_as_update, "Accepted as an internal update on the ask's timeline."),
    "evidence": (suggestions.suggestion_accept_as_evidence, "Accepted as internal evidence of the ask."),
    "reject": (suggestions.suggestion_reject, "Suggestion rejected."),
}


@require_POST
def suggestion_decide(request, pk):
    suggestion = selectors.get_suggestion_for(request.user, pk, need="lead")
    decision = DECISIONS.get(request.POST.get("decision", ""))
    if decision is None:
        messages.error(request, "Choose to accept the suggestion as an update or as evidence, or to reject it.")
    else:
        decide, done = decision
        try:
            decide(suggestion=suggestion, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
    return redirect("campaign_suggestions", slug=suggestion.campaign.slug)
