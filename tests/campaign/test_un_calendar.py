"""The UN calendar: meetings shipped as data, loaded idempotently, corrected in
the admin with history."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from campaign.models import UNMeeting, UNReview
from campaign.services import UN_CALENDAR_FILE, un_calendar_file_rows, un_calendar_load
from tests.two_factor import force_login_verified


def test_the_shipped_calendar_has_the_reference_sessions(db):
    call_command("load_un_calendar", verbosity=0)

    hrc = {m.session: m for m in UNMeeting.objects.filter(body="HRC")}
    assert sorted(hrc, key=int) == [str(n) for n in range(49, 64)]
    assert (hrc["50"].starts_on, hrc["50"].ends_on) == (datetime.date(2022, 6, 13), datetime.date(2022, 7, 8))
    assert (hrc["51"].starts_on, hrc["51"].ends_on) == (datetime.date(2022, 9, 12), datetime.date(2022, 10, 7))
    assert (hrc["61"].starts_on, hrc["61"].ends_on) == (datetime.date(2026, 2, 23), datetime.date(2026, 3, 31))
    assert all(hrc[str(n)].confirmed for n in range(49, 62))
    assert not hrc["62"].confirmed and not hrc["63"].confirmed  # shipped unconfirmed, as the reference says
    assert all(meeting.source_url for meeting in UNMeeting.objects.all())
    china_upr = UNReview.objects.get(meeting__body="UPR", meeting__session="45", country="CHN")
    assert china_upr.starts_on == datetime.date(2024, 1, 23)
    assert UNMeeting.objects.get(body="CEDAW", session="85").reviews.get().starts_on == datetime.date(2023, 5, 12)
    assert str(hrc["62"]) == "HRC62" and str(UNMeeting.objects.get(body="CESCR")) == "CESCR 73"


def test_loading_twice_changes_nothing_and_writes_no_history(db, capsys):
    call_command("load_un_calendar")
    history = UNMeeting.history.count()
    call_command("load_un_calendar")

    assert UNMeeting.history.count() == history
    assert "0 meetings added, 0 updated, 22 unchanged" in capsys.readouterr().out


def test_an_admins_correction_stays_until_a_release_changes_that_row(db, tmp_path):
    rows = un_calendar_file_rows()
    un_calendar_load(rows=rows)
    meeting = UNMeeting.objects.get(body="HRC", session="62")
    meeting.starts_on, meeting.confirmed = datetime.date(2026, 6, 22), True
    meeting.save()

    un_calendar_load(rows=rows)  # the same release again: the correction stays
    meeting.refresh_from_db()
    assert (meeting.starts_on, meeting.confirmed) == (datetime.date(2026, 6, 22), True)

    changed = [dict(row) for row in rows]
    [row] = [row for row in changed if row["body"] == "HRC" and row["session"] == "62"]
    row.update(starts_on="2026-06-29", ends_on="2026-07-24", confirmed=True)
    path = tmp_path / "calendar.json"
    path.write_text(json.dumps({"meetings": changed}))
    call_command("load_un_calendar", file=str(path), verbosity=0)
    meeting.refresh_from_db()
    assert (meeting.starts_on, meeting.ends_on) == (datetime.date(2026, 6, 29), datetime.date(2026, 7, 24))


def test_the_calendar_file_is_the_one_the_makefile_loads():
    assert UN_CALENDAR_FILE.exists()
    assert "$(MANAGE) load_un_calendar" in (UN_CALENDAR_FILE.parents[2] / "Makefile").read_text()


@pytest.fixture
def admin_client(client, superuser):
    force_login_verified(client, superuser)
    return client


def test_a_meeting_is_edited_in_the_admin_with_history(admin_client, superuser):
    un_calendar_load(rows=un_calendar_file_rows())
    meeting = UNMeeting.objects.get(body="HRC", session="62")
    url = reverse("admin:campaign_unmeeting_change", args=[meeting.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "body": "HRC",
            "session": "62",
            "starts_on": "2026-06-22",
            "ends_on": "2026-07-17",
            "confirmed": "on",
            "source_url": meeting.source_url,
            "note": "Confirmed by the Council's programme of work.",
            "reviews-TOTAL_FORMS": "0",
            "reviews-INITIAL_FORMS": "0",
            "reviews-MIN_NUM_FORMS": "0",
            "reviews-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    latest = meeting.history.first()
    assert latest.starts_on == datetime.date(2026, 6, 22) and latest.history_user == superuser
    assert admin_client.get(reverse("admin:campaign_unmeeting_history", args=[meeting.pk])).status_code == 200


def test_a_meeting_cannot_close_before_it_opens(db):
    from django.core.exceptions import ValidationError

    meeting = UNMeeting(
        body="HRC", session="99", starts_on=datetime.date(2027, 3, 1), ends_on=datetime.date(2027, 2, 1)
    )
    with pytest.raises(ValidationError):
        meeting.full_clean()
