"""Views that hand out files and feeds rather than pages: evidence downloads,
the ask list as CSV, the private calendar feed and the health check."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required, login_required
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from campaign.calendar import deadlines_calendar
from campaign.exports import asks_csv_response
from campaign.filters import AskFilter
from campaign.models import Ask, Evidence
from campaign.uploads import ALLOWED_CONTENT_TYPES, download_filename

logger = logging.getLogger(__name__)

PRIVATE_NO_STORE = "private, no-store"


@require_safe
@login_required
def evidence_download(request, pk: int):
    """The only way to fetch an upload: a 404 unless the user may see the
    evidence, so nobody learns that a file exists in a campaign not theirs."""
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user).exclude(file=""), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        logger.error("Evidence %s: file %s is missing from storage", evidence.pk, evidence.file.name)
        raise Http404("No file.") from error
    # Only a type the upload check produced goes out; anything else (say, a file
    # put in through the admin) is sent as opaque bytes the browser will not render.
    content_type = evidence.content_type if evidence.content_type in ALLOWED_CONTENT_TYPES else ""
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_filename(evidence.original_filename, content_type),
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = PRIVATE_NO_STORE
    return response


@require_safe
@login_required
def asks_export(request):
    """Exactly the rows the /asks/ list shows for the same query string (all
    pages of it)."""
    asks = AskFilter(request.GET, queryset=Ask.objects.visible_to(request.user), request=request).qs
    filename = f"asks-{timezone.localdate():%Y-%m-%d}.csv"
    response = asks_csv_response(asks, filename=filename, site_url=settings.SITE_URL)
    response["Cache-Control"] = PRIVATE_NO_STORE
    return response


@require_safe
@login_not_required
def calendar_feed(request, token: str):
    """No login: calendar apps cannot sign in, so the secret token in the URL
    is the credential. A regenerated token makes the old URL a 404."""
    user = get_object_or_404(get_user_model(), calendar_token=token, is_active=True)
    response = HttpResponse(deadlines_calendar(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="ask-deadlines.ics"'
    response["Cache-Control"] = PRIVATE_NO_STORE
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@login_not_required
def healthz(request):
    """Liveness for monitoring. Touches neither the session nor request.user, so
    it sets no cookie and reveals nothing."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
