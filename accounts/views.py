from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import SettingsForm
from accounts.models import new_calendar_token


def calendar_url(request, user) -> str:
    try:
        return request.build_absolute_uri(reverse("calendar_feed", args=[user.calendar_token]))
    except NoReverseMatch:  # the calendar feed is not installed
        return ""


@require_http_methods(["GET", "POST"])
def account_settings(request):
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Settings saved.")
        return redirect("account_settings")
    return render(
        request, "accounts/settings.html", {"form": form, "calendar_url": calendar_url(request, request.user)}
    )


@require_POST
def calendar_token_regenerate(request):
    """A new secret calendar URL; the old one stops working at once."""
    request.user.calendar_token = new_calendar_token()
    request.user.save(update_fields=["calendar_token"])
    messages.success(
        request, "Your calendar link was replaced. The old link no longer works: subscribe again with the new one."
    )
    return redirect("account_settings")
