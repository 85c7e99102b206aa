"""Sessions end after the configured idle time; "log out everywhere" ends every
other session of the user and keeps this one."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def signed_in(client) -> bool:
    response = client.get(reverse("dashboard"))
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))
        return False
    assert response.status_code == 200
    return True


@pytest.fixture
def idle_minutes(settings):
    return settings.SESSION_IDLE_MINUTES


def test_session_ends_after_the_idle_time(client, viewer, idle_minutes):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(viewer)
        assert signed_in(client)
        clock.shift(datetime.timedelta(minutes=idle_minutes + 1))
        assert not signed_in(client)


def test_activity_keeps_the_session_alive(client, viewer, idle_minutes):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(viewer)
        for _ in range(3):
            clock.shift(datetime.timedelta(minutes=idle_minutes - 5))
            assert signed_in(client)
        # Three idle periods have passed since login: only activity kept it open.
        clock.shift(datetime.timedelta(minutes=idle_minutes + 1))
        assert not signed_in(client)


def test_log_out_everywhere_ends_other_sessions_and_keeps_this_one(client, viewer):
    laptop, phone = client, Client()
    laptop.force_login(viewer)
    phone.force_login(viewer)
    assert signed_in(phone)
    old_key = laptop.session.session_key

    response = laptop.post(reverse("logout_everywhere"), follow=True)
    assert "signed out on every other browser" in response.content.decode()
    assert laptop.session.session_key != old_key
    assert signed_in(laptop)
    assert not signed_in(phone)


def test_log_out_everywhere_needs_a_post(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("logout_everywhere")).status_code == 405
    epoch = viewer.session_epoch
    viewer.refresh_from_db()
    assert viewer.session_epoch == epoch
