"""The settings page's time-zone box: a text input with a <datalist> of the
canonical zones (searchable, no JavaScript needed), checked on the server."""

import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory


def settings_data(**changes) -> dict:
    return {
        "full_name": "Ed Itor",
        "timezone": "Europe/Zurich",
        "digest_frequency": "weekly",
        "digest_weekday": 0,
        "digest_hour": 8,
        "notify_status_changes": "on",
    } | changes


def suggested_zones(page: str) -> list[str]:
    datalist = re.search(r'<datalist id="time-zone-names">(.*?)</datalist>', page, re.S)
    assert datalist, "no <datalist> of zones"
    return re.findall(r'<option value="([^"]+)"', datalist.group(1))


def test_picker_suggests_each_place_once_without_legacy_aliases(client, editor):
    client.force_login(editor)
    page = client.get(reverse("account_settings")).content.decode()
    assert re.search(r'<input type="text" name="timezone" value="Europe/Zurich" list="time-zone-names"', page)
    zones = suggested_zones(page)
    assert 400 <= len(zones) <= 440  # zone.tab's ~418 places and UTC; not Python's ~600 names
    assert len(zones) == len(set(zones))
    for canonical in ["Europe/Zurich", "America/New_York", "Asia/Kolkata", "Europe/Kyiv", "Asia/Bangkok", "UTC"]:
        assert canonical in zones
    for legacy in ["US/Eastern", "Etc/GMT+5", "GMT+0", "GMT", "Asia/Calcutta", "Europe/Kiev", "Australia/NSW", "EST"]:
        assert legacy not in zones
    assert '<option value="America/New_York">America/New York</option>' in page


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("Asia/Bangkok", "Asia/Bangkok"), ("  america/new york ", "America/New_York"), ("utc", "UTC")],
)
def test_a_zone_is_saved_under_its_exact_name(client, editor, typed, stored):
    client.force_login(editor)
    response = client.post(reverse("account_settings"), settings_data(timezone=typed))
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.timezone == stored


@pytest.mark.parametrize("typed", ["Mars/Olympus", "Bad/Zone", "Europe", "<b>Zurich</b>", "x" * 64])
def test_an_unknown_zone_is_a_field_error_and_the_input_is_shown_again(client, editor, typed):
    client.force_login(editor)
    response = client.post(reverse("account_settings"), settings_data(timezone=typed))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["timezone"]
    assert "is not a time zone" in errors["timezone"][0]
    page = response.content.decode()
    assert 'name="timezone" value="{}"'.format(typed.replace("<", "&lt;").replace(">", "&gt;")) in page
    editor.refresh_from_db()
    assert editor.timezone == "Europe/Zurich"


def test_an_empty_zone_is_required(client, editor):
    client.force_login(editor)
    response = client.post(reverse("account_settings"), settings_data(timezone=""))
    assert response.context["form"].errors["timezone"] == ["This field is required."]


def test_a_stored_alias_keeps_working(client, db):
    user = UserFactory(timezone="US/Eastern")
    client.force_login(user)
    page = client.get(reverse("account_settings")).content.decode()
    assert 'name="timezone" value="US/Eastern"' in page
    # Saving other settings keeps it, and pages use it.
    response = client.post(reverse("account_settings"), settings_data(timezone="US/Eastern", digest_hour=9))
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.timezone, user.digest_hour) == ("US/Eastern", 9)
