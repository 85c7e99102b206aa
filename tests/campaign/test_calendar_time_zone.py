"""The calendar feed names the subscriber's own time zone, not the site's."""

import icalendar
import pytest
from django.urls import reverse

from tests.factories import UserFactory


@pytest.mark.parametrize("zone", ["Asia/Bangkok", "America/New_York"])
def test_feed_names_the_users_zone(client, db, zone):
    user = UserFactory(timezone=zone)
    response = client.get(reverse("calendar_feed", args=[user.calendar_token]))
    assert response.status_code == 200
    assert str(icalendar.Calendar.from_ical(response.content)["X-WR-TIMEZONE"]) == zone
