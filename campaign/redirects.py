"""Where to send a user after a form: back to the page they came from, never to another site."""

from django.utils.http import url_has_allowed_host_and_scheme


def next_or(request, fallback) -> str:
    """The form's or query's ``next`` when it points into this site, else ``fallback``.

    Django's check also refuses the tricks a bare startswith("/") lets through,
    such as "/\\evil.example", which browsers read as //evil.example."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback if isinstance(fallback, str) else fallback.get_absolute_url()
