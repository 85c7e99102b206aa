"""Two-factor pages: enrol an authenticator app, verify after the password,
recovery codes, remove. The rules live in accounts.two_factor."""

import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render, resolve_url
from django.template.defaultfilters import pluralize
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.two_factor import (
    recovery_codes_generate,
    recovery_codes_left,
    second_factor_check,
    totp_device_confirm,
    totp_device_confirmed,
    totp_device_pending,
    totp_qr_data_uri,
    totp_secret_base32,
    two_factor_disable,
    two_factor_required,
)

# Where freshly generated codes wait for the one page view that shows them.
CODES_SESSION_KEY = "two_factor_new_recovery_codes"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label="Your password", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


def settings_url() -> str:
    """The account settings page (built by the web pages) or, before it exists, the dashboard."""
    for name in ("account_settings", "settings"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _mark_verified(request, device) -> None:
    django_otp.login(request, device)
    # A new session key once the second factor is passed, as at password login.
    request.session.cycle_key()


@login_required
def enrol(request):
    if totp_device_confirmed(request.user) is not None:
        if not request.user.is_verified():
            # Someone holding only the password must not swap the authenticator.
            return redirect("two_factor_verify")
        messages.info(request, "Two-factor login is already set up for your account.")
        return redirect(settings_url())
    device = totp_device_pending(user=request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = totp_device_confirm(device=device, token=form.cleaned_data["code"])
        if not error:
            _mark_verified(request, device)
            request.session[CODES_SESSION_KEY] = recovery_codes_generate(request.user)
            request.session["two_factor_next"] = _next_url(request)
            messages.success(request, "Two-factor login is on. Keep your recovery codes somewhere safe.")
            return redirect("two_factor_recovery_codes")
        form.add_error("code", error)
    context = {
        "form": form,
        "qr_data_uri": totp_qr_data_uri(device),
        "secret": totp_secret_base32(device),
        "issuer": settings.OTP_TOTP_ISSUER,
        "required": two_factor_required(request.user),
        "next": request.GET.get("next", ""),
    }
    return render(request, "two_factor/enrol.html", context)


@login_required
def verify(request):
    if totp_device_confirmed(request.user) is None:
        return redirect("two_factor_enrol")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, error = second_factor_check(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            _mark_verified(request, device)
            left = recovery_codes_left(request.user)
            if left <= 3:
                messages.warning(
                    request, f"You have {left} recovery code{pluralize(left)} left. Generate new ones in your settings."
                )
            return redirect(_next_url(request))
        form.add_error("code", error)
    return render(request, "two_factor/verify.html", {"form": form, "next": request.GET.get("next", "")})


@login_required
def recovery_codes(request):
    """Shows new codes exactly once: they are taken out of the session here."""
    codes = request.session.pop(CODES_SESSION_KEY, None)
    if not codes:
        messages.info(request, "Recovery codes are shown only once. Generate new ones if you lost them.")
        return redirect(settings_url())
    continue_url = request.session.pop("two_factor_next", "") or settings_url()
    return render(request, "two_factor/recovery_codes.html", {"codes": codes, "continue_url": continue_url})


def _require_verified(request):
    if totp_device_confirmed(request.user) is None or not request.user.is_verified():
        raise PermissionDenied("Verify with your authenticator app first.")


@require_POST
@login_required
def recovery_codes_regenerate(request):
    _require_verified(request)
    request.session[CODES_SESSION_KEY] = recovery_codes_generate(request.user)
    messages.success(request, "New recovery codes: the old ones no longer work.")
    return redirect("two_factor_recovery_codes")


@login_required
def disable(request):
    _require_verified(request)
    form = PasswordConfirmForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        two_factor_disable(user=request.user)
        if two_factor_required(request.user):
            messages.warning(request, "Your authenticator was removed. Your account needs one: set up the new one now.")
            return redirect("two_factor_enrol")
        messages.success(request, "Two-factor login is off.")
        return redirect(settings_url())
    return render(request, "two_factor/disable.html", {"form": form, "required": two_factor_required(request.user)})
