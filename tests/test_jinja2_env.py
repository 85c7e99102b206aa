"""The Jinja2 helpers the staff pages' content uses say what Django's own
formatters say, in the user's time zone."""

import datetime
import zoneinfo

import pytest
from django.utils import dateformat, timezone

from campaign.templatetags.campaign_tags import iso_moment
from config.jinja2 import date


@pytest.mark.parametrize("zone", ["Asia/Bangkok", "America/New_York", "UTC"])
@pytest.mark.parametrize("month", range(1, 13))
def test_a_moment_reads_as_djangos_formatter_has_it_in_the_users_zone(zone, month):
    moment = datetime.datetime(2026, month, 17, 23, 59, 30, 123456, tzinfo=datetime.UTC)
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        assert date(moment, "j M Y, H:i") == dateformat.format(timezone.localtime(moment), "j M Y, H:i")


def test_a_datetime_attribute_has_no_microseconds_and_names_the_users_offset():
    moment = datetime.datetime(2026, 12, 7, 19, 47, 43, 596263, tzinfo=datetime.UTC)
    with timezone.override(zoneinfo.ZoneInfo("Europe/Zurich")):
        assert iso_moment(moment) == "2026-12-07T20:47:43+01:00"


def test_a_day_reads_without_a_leading_zero():
    assert date(datetime.date(2026, 12, 7)) == "7 Dec 2026"
