"""Failed logins: a clear message, then a lockout per account and per IP address
(django-axes) with a page that explains the cool-off."""

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse

from tests.factories import UserFactory
from tests.two_factor import force_login_verified

PASSWORD = "correct horse battery staple"


def login(client, email, password, ip="192.0.2.10"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def limit(settings):
    return settings.AXES_FAILURE_LIMIT


def test_wrong_password_says_so_and_does_not_sign_in(client, viewer):
    response = login(client, viewer.email, "wrong password")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not signed_in(client)


def test_right_password_signs_in(client, viewer):
    response = login(client, viewer.email, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_account_is_locked_after_the_failure_limit_with_an_explanation(client, viewer, limit, settings):
    for _ in range(limit):
        login(client, viewer.email, "wrong password")
    response = login(client, viewer.email, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in temporarily blocked" in page
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    assert f"{minutes} minutes" in page
    assert "tell your administrator" in page
    assert not signed_in(client)


def test_locked_account_stays_locked_from_another_ip(client, viewer, limit):
    for attempt in range(limit):
        login(client, viewer.email, "wrong password", ip=f"198.51.100.{attempt + 1}")
    response = login(client, viewer.email, PASSWORD, ip="203.0.113.99")
    assert response.status_code == 429
    assert not signed_in(client)


def test_one_ip_guessing_many_accounts_is_locked_out_for_all_of_them(client, db, limit):
    victims = [UserFactory() for _ in range(limit + 1)]
    for victim in victims[:limit]:
        login(client, victim.email, "wrong password", ip="192.0.2.66")
    response = login(client, victims[-1].email, PASSWORD, ip="192.0.2.66")
    assert response.status_code == 429
    # Someone else, elsewhere, is not affected.
    assert login(client, victims[-1].email, PASSWORD, ip="192.0.2.67").status_code == 302


def test_lockout_ends_after_the_cool_off(client, viewer, limit, settings):
    with time_machine.travel("2026-03-02 12:00:00+00:00", tick=False) as clock:
        for _ in range(limit):
            login(client, viewer.email, "wrong password")
        assert login(client, viewer.email, PASSWORD).status_code == 429
        clock.shift(settings.AXES_COOLOFF_TIME * 3600 + 1)
        assert login(client, viewer.email, PASSWORD).status_code == 302


def test_admins_see_the_failed_attempts(client, viewer, superuser, limit):
    for _ in range(limit):
        login(client, viewer.email, "wrong password")
    assert AccessAttempt.objects.filter(username=viewer.email).exists()
    force_login_verified(client, superuser)
    page = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200
    assert viewer.email in page.content.decode()
