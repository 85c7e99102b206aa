from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accounts.services import user_logout_everywhere
from accounts.views_2fa import settings_url


@require_POST
@login_required
def logout_everywhere(request):
    user_logout_everywhere(user=request.user)
    # Keeps this browser signed in (and cycles its session key).
    update_session_auth_hash(request, request.user)
    messages.success(request, "You are signed out on every other browser and device. This one stays signed in.")
    return redirect(settings_url())
