"""One-click unsubscribe (RFC 8058) from the links in digests and notifications.

Mail clients POST to the link without a session or CSRF token, so the signed
token is the credential; a person who follows the link in a browser sees a page
with one button (a GET never changes anything)."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.services import UNSUBSCRIBE_KINDS, unsubscribe_read, user_unsubscribe


@csrf_exempt  # RFC 8058: the mail client's POST carries no CSRF token; the signed token authorises it
@login_not_required
@require_http_methods(["GET", "POST"])
# The token in the URL is the credential: keep the page out of every cache.
@cache_control(private=True, no_store=True)
def unsubscribe(request, token):
    found = unsubscribe_read(token)
    if found is None:
        raise Http404
    user, kind = found
    label = UNSUBSCRIBE_KINDS[kind][2]
    if request.method == "POST":
        user_unsubscribe(user=user, kind=kind)
        return render(request, "accounts/unsubscribed.html", {"label": label, "done": True})
    return render(request, "accounts/unsubscribed.html", {"label": label, "done": False})
