"""/digests/: a user's own past digests. Anyone else's is a 404."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from campaign.models import Digest

DIGESTS_PER_PAGE = 25


@require_GET
@login_required
def digest_list(request):
    digests = Digest.objects.filter(user=request.user).only("pk", "subject", "frequency", "period_end", "sent_at")
    page = Paginator(digests.order_by("-period_end"), DIGESTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "digests/list.html", {"page": page, "section": "digest_list"})


@require_GET
@login_required
def digest_detail(request, pk: int):
    digest = get_object_or_404(Digest, pk=pk, user=request.user)
    return render(request, "digests/detail.html", {"digest": digest, "section": "digest_detail"})
