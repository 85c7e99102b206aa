"""Two-factor login: who must enrol, who must verify, and which codes are refused."""

import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode
from accounts.two_factor import recovery_codes_generate, recovery_codes_left
from tests.factories import UserFactory
from tests.two_factor import force_login_verified

NOON = "2026-03-02 12:00:00+00:00"


@pytest.fixture
def clock():
    # TOTP codes depend on the time: freeze it so a code stays the same code.
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def current_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def verify(client, code):
    return client.post(reverse("two_factor_verify"), {"code": code, "next": "/asks/"})


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@example.org", is_staff=True)


def test_staff_without_authenticator_is_sent_to_enrol_from_every_page(client, staff):
    client.force_login(staff)
    for path in ["/", "/asks/", "/admin/", "/campaigns/china/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor_enrol"))


def test_staff_with_authenticator_is_sent_to_verify_keeping_the_page_asked_for(client, staff):
    confirmed_device(staff)
    client.force_login(staff)
    response = client.get("/asks/?status=open")
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_verify") + "?next=%2Fasks%2F%3Fstatus%3Dopen"


def test_plain_member_is_not_asked_for_a_second_factor_unless_required(client, viewer, settings):
    settings.REQUIRE_2FA = False
    client.force_login(viewer)
    assert client.get("/asks/").status_code == 200


def test_everyone_must_enrol_when_require_2fa_is_on(client, viewer, settings):
    settings.REQUIRE_2FA = True
    client.force_login(viewer)
    response = client.get("/asks/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_enrol"))


def test_a_member_who_enrolled_voluntarily_must_verify(client, viewer, settings):
    settings.REQUIRE_2FA = False
    confirmed_device(viewer)
    client.force_login(viewer)
    response = client.get("/asks/")
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_an_authenticator_added_in_another_session_is_asked_for_on_the_next_page(client, viewer, settings):
    settings.REQUIRE_2FA = False
    client.force_login(viewer)
    assert client.get("/asks/").status_code == 200
    confirmed_device(viewer)
    response = client.get("/asks/")
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_the_authenticator_check_on_every_page_comes_with_the_user_not_as_a_query_of_its_own(client, viewer):
    client.force_login(viewer)
    client.get("/campaigns/")  # the first request of a session also writes it
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/campaigns/").status_code == 200
    device_reads = [q["sql"] for q in captured if q["sql"].startswith('SELECT "otp_totp_totpdevice"')]
    assert device_reads == []
    assert any('FROM "otp_totp_totpdevice"' in q["sql"] for q in captured)  # inside the user's query


def _device_reads(captured) -> list[str]:
    return [q["sql"] for q in captured if q["sql"].startswith('SELECT "otp_totp_totpdevice"')]


def test_a_verified_sessions_device_check_comes_with_the_user_not_as_a_query_of_its_own(client, viewer):
    force_login_verified(client, viewer)
    client.get("/campaigns/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/campaigns/")
    assert response.status_code == 200
    assert response.wsgi_request.user.is_verified()
    assert _device_reads(captured) == []


def test_removing_the_authenticator_unverifies_the_session(client, viewer, settings):
    settings.REQUIRE_2FA = True
    device = force_login_verified(client, viewer)
    assert client.get("/asks/").status_code == 200
    device.delete()
    response = client.get("/asks/")
    assert response["Location"].startswith(reverse("two_factor_enrol"))
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_an_unconfirmed_device_does_not_verify_the_session(client, viewer, settings):
    settings.REQUIRE_2FA = True
    device = force_login_verified(client, viewer)
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    assert client.get("/asks/")["Location"].startswith(reverse("two_factor_enrol"))


def test_another_users_device_in_the_session_does_not_verify_it(client, viewer, staff):
    confirmed_device(viewer)
    force_login_verified(client, viewer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_device(staff).persistent_id
    session.save()
    response = client.get("/asks/")
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_a_session_verified_with_the_users_second_authenticator_stays_verified(client, viewer):
    confirmed_device(viewer)
    client.force_login(viewer)
    second = confirmed_device(viewer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = second.persistent_id
    session.save()
    response = client.get("/asks/")
    assert response.status_code == 200
    assert response.wsgi_request.user.otp_device == second


def test_healthz_calendar_and_static_stay_reachable_before_the_second_factor(client, staff):
    client.force_login(staff)
    for path in ["/healthz", "/calendar/some-token.ics", "/static/vendor/bootstrap/bootstrap.min.css"]:
        response = client.get(path)
        assert not response.get("Location", "").startswith(reverse("two_factor_enrol")), path


def test_enrolment_shows_a_local_qr_code_and_the_secret_then_recovery_codes_once(client, staff, clock):
    client.force_login(staff)
    page = client.get(reverse("two_factor_enrol"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/png;base64,' in html
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    secret = re.search(r'<code class="fs-5 user-select-all">([A-Z2-7 ]+)</code>', html).group(1)
    assert secret.replace(" ", "") and len(secret.replace(" ", "")) == 32

    # Reloading keeps the same secret: a half-scanned code stays valid.
    client.get(reverse("two_factor_enrol"))
    assert TOTPDevice.objects.get(user=staff, confirmed=False).pk == device.pk

    response = client.post(reverse("two_factor_enrol"), {"code": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_recovery_codes")
    codes_page = client.get(reverse("two_factor_recovery_codes"))
    codes = re.findall(r"<li class=\"col\">([a-z0-9-]+)</li>", codes_page.content.decode())
    assert len(codes) == 10
    assert recovery_codes_left(staff) == 10
    # Stored hashed: no stored value contains a plain code.
    stored = " ".join(RecoveryCode.objects.filter(user=staff).values_list("code_hash", flat=True))
    assert not any(code.replace("-", "") in stored for code in codes)
    # Shown once only.
    again = client.get(reverse("two_factor_recovery_codes"))
    assert again.status_code == 302
    # And the session is verified: the admin opens.
    assert client.get("/admin/").status_code == 200


def test_enrolment_refuses_a_wrong_code(client, staff, clock):
    client.force_login(staff)
    client.get(reverse("two_factor_enrol"))
    response = client.post(reverse("two_factor_enrol"), {"code": "000000"})
    assert response.status_code == 200
    assert "does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()


def test_password_alone_cannot_replace_an_existing_authenticator(client, staff):
    device = confirmed_device(staff)
    client.force_login(staff)
    response = client.get(reverse("two_factor_enrol"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert list(TOTPDevice.objects.filter(user=staff)) == [device]
    response = client.post(reverse("two_factor_disable"), {"password": "correct horse battery staple"})
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert TOTPDevice.objects.filter(user=staff).exists()


def test_right_code_verifies_and_returns_to_the_page_asked_for(client, staff, clock):
    device = confirmed_device(staff)
    client.force_login(staff)
    response = verify(client, current_code(device))
    assert response.status_code == 302
    assert response["Location"] == "/asks/"
    assert client.get("/admin/").status_code == 200


def test_wrong_totp_code_is_refused(client, staff, clock):
    device = confirmed_device(staff)
    client.force_login(staff)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = verify(client, wrong)
    assert response.status_code == 200
    assert "wrong or was already used" in response.content.decode()
    assert client.get("/admin/")["Location"].startswith(reverse("two_factor_verify"))


def test_reused_totp_code_is_refused_in_another_session(client, staff, clock):
    device = confirmed_device(staff)
    code = current_code(device)
    client.force_login(staff)
    assert verify(client, code).status_code == 302

    thief = Client()
    thief.force_login(staff)
    clock.shift(5)  # same 30-second window: the code is still "current"
    response = verify(thief, code)
    assert response.status_code == 200
    assert "wrong or was already used" in response.content.decode()
    assert thief.get("/admin/")["Location"].startswith(reverse("two_factor_verify"))


def test_repeated_wrong_codes_are_throttled(client, staff, clock):
    device = confirmed_device(staff)
    client.force_login(staff)
    verify(client, "111111")
    verify(client, "222222")
    # Within the back-off even the right code is not checked.
    response = verify(client, current_code(device))
    # The second code came within the first's 1-second back-off, so it was not
    # checked and did not lengthen it.
    assert "Too many tries: wait 1 second," in response.content.decode()
    clock.shift(60)
    assert verify(client, current_code(device)).status_code == 302


def wrong_code(device) -> str:
    return f"{(int(current_code(device)) + 1) % 1_000_000:06d}"


def test_right_code_at_once_after_a_wrong_one_says_to_wait_on_the_verify_page(client, staff, clock):
    device = confirmed_device(staff)
    client.force_login(staff)
    verify(client, wrong_code(device))
    response = verify(client, current_code(device))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Too many tries: wait 1 second," in page
    assert "wrong or was already used" not in page
    clock.shift(1)
    assert verify(client, current_code(device)).status_code == 302


def test_right_code_at_once_after_a_wrong_one_says_to_wait_on_the_enrol_page(client, staff, clock):
    client.force_login(staff)
    client.get(reverse("two_factor_enrol"))
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    client.post(reverse("two_factor_enrol"), {"code": wrong_code(device)})
    response = client.post(reverse("two_factor_enrol"), {"code": current_code(device)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Too many tries: wait 1 second," in page
    assert "does not match" not in page
    clock.shift(1)
    response = client.post(reverse("two_factor_enrol"), {"code": current_code(device)})
    assert response["Location"] == reverse("two_factor_recovery_codes")


def test_recovery_code_works_once(client, staff, clock):
    confirmed_device(staff)
    codes = recovery_codes_generate(staff)
    client.force_login(staff)
    assert verify(client, codes[0].upper()).status_code == 302  # typed in capitals: still the code
    assert recovery_codes_left(staff) == 9

    second = Client()
    second.force_login(staff)
    clock.shift(5)
    response = verify(second, codes[0])
    assert response.status_code == 200
    assert "recovery code is wrong or was already used" in response.content.decode()
    assert recovery_codes_left(staff) == 9


def test_regenerating_recovery_codes_voids_the_old_ones(client, staff, clock):
    device = confirmed_device(staff)
    old = recovery_codes_generate(staff)
    client.force_login(staff)
    verify(client, current_code(device))
    response = client.post(reverse("two_factor_recovery_regenerate"))
    assert response["Location"] == reverse("two_factor_recovery_codes")
    assert client.get(reverse("two_factor_recovery_codes")).status_code == 200
    assert not RecoveryCode.objects.filter(user=staff).exclude(used_at=None).exists()

    other = Client()
    other.force_login(staff)
    clock.shift(60)
    assert verify(other, old[1]).status_code == 200  # refused: the form comes back


def test_admin_requires_the_second_factor_even_for_superusers(client, superuser, clock):
    client.force_login(superuser)
    assert client.get("/admin/")["Location"].startswith(reverse("two_factor_enrol"))
    device = confirmed_device(superuser)
    assert client.get("/admin/campaign/ask/")["Location"].startswith(reverse("two_factor_verify"))
    verify(client, current_code(device))
    assert client.get("/admin/campaign/ask/").status_code == 200


def test_turning_off_needs_the_password_and_removes_codes(client, viewer, settings, clock):
    settings.REQUIRE_2FA = False
    device = confirmed_device(viewer)
    recovery_codes_generate(viewer)
    client.force_login(viewer)
    verify(client, current_code(device))
    wrong = client.post(reverse("two_factor_disable"), {"password": "not it"})
    assert "That is not your password" in wrong.content.decode()
    client.post(reverse("two_factor_disable"), {"password": "correct horse battery staple"})
    assert not TOTPDevice.objects.filter(user=viewer).exists()
    assert not RecoveryCode.objects.filter(user=viewer).exists()


def test_the_test_helper_for_verified_sessions_opens_the_admin(client, superuser):
    force_login_verified(client, superuser)
    assert client.get("/admin/").status_code == 200


def test_settings_page_shows_two_factor_status_and_the_security_actions(client, viewer, settings, clock):
    settings.REQUIRE_2FA = False
    client.force_login(viewer)
    page = client.get(reverse("account_settings")).content.decode()
    assert "Set up two-factor login" in page
    assert reverse("logout_everywhere") in page

    device = confirmed_device(viewer)
    recovery_codes_generate(viewer)
    verify(client, current_code(device))
    page = client.get(reverse("account_settings")).content.decode()
    assert "10 unused recovery codes left" in page
    assert reverse("two_factor_recovery_regenerate") in page
    assert reverse("two_factor_disable") in page


def test_password_login_then_code_lands_on_the_dashboard(client, staff, clock):
    device = confirmed_device(staff)
    response = client.post(
        reverse("login"), {"username": staff.email, "password": "correct horse battery staple"}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_verify"))
    assert "Enter your code" in response.content.decode()
    next_url = response.redirect_chain[-1][0].split("next=")[1]
    response = client.post(reverse("two_factor_verify") + f"?next={next_url}", {"code": current_code(device)})
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
