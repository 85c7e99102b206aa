"""The private iCalendar feed of ask deadlines that staff subscribe to from
Outlook, Google or Apple calendars, with the UN meetings those deadlines are
anchored to."""

import datetime
from urllib.parse import urlparse

import icalendar
from django.conf import settings

from campaign.models import Ask, UNMeeting
from campaign.people import Surface, person_display_name

PRODID = "-//Campaign tracker//Ask deadlines//EN"


def deadline_asks_for(user):
    """The open asks with a deadline that ``user`` may see."""
    return (
        Ask.objects.visible_to(user)
        .open()
        .filter(deadline__isnull=False)
        .select_related("campaign", "target", "deadline_meeting")
        .select_related("campaign", "target")
        .prefetch_related("people")
        .order_by("deadline", "id")
    )


def deadline_event(ask: Ask, *, site_url: str, host: str) -> icalendar.Event:
    url = site_url + ask.get_absolute_url()
    description = [f"Target: {ask.target.name}", f"Campaign: {ask.campaign.title}"]
    if ask.deadline_reason:
        description.append(f"Why this date: {ask.deadline_reason}")
    if ask.deadline_provisional:
        description.append("Provisional: the UN has not confirmed the meeting's dates yet.")
    # Calendars sync to phones and other services: pseudonyms only.
    people = [person_display_name(p, role=None, surface=Surface.CALENDAR) for p in ask.people.all()]
    if people:
        description.append(f"Concerns: {', '.join(people)}")
    description.append(url)

    event = icalendar.Event()
    # The deadline is part of the UID: a moved deadline is a new event, and the
    # calendar drops the old one on its next refresh.
    event.add("uid", f"ask-{ask.pk}-{ask.deadline:%Y%m%d}@{host}")
    # Without METHOD, DTSTAMP is when the information last changed (RFC 5545 3.8.7.2).
    event.add("dtstamp", ask.updated_at.astimezone(datetime.UTC))
    event.add("last-modified", ask.updated_at.astimezone(datetime.UTC))
    event.add("dtstart", ask.deadline)  # a date: an all-day event
    event.add("dtend", ask.deadline + datetime.timedelta(days=1))
    event.add("summary", f"Deadline{' (provisional)' if ask.deadline_provisional else ''}: {ask.title}")
    event.add("description", "\n".join(description))
    event.add("url", url)
    event.add("categories", [ask.campaign.title])
    # A deadline does not make anyone busy for the day.
    event.add("transp", "TRANSPARENT")
    return event


def meeting_event(meeting: UNMeeting, *, host: str) -> icalendar.Event:
    event = icalendar.Event()
    # The dates are part of the UID, as for deadlines: moved dates, a new event.
    event.add("uid", f"un-meeting-{meeting.pk}-{meeting.starts_on:%Y%m%d}-{meeting.ends_on:%Y%m%d}@{host}")
    event.add("dtstamp", datetime.datetime.combine(meeting.starts_on, datetime.time(), tzinfo=datetime.UTC))
    event.add("dtstart", meeting.starts_on)
    event.add("dtend", meeting.ends_on + datetime.timedelta(days=1))
    provisional = "" if meeting.confirmed else " (provisional dates)"
    event.add("summary", f"{meeting.name}{provisional}: {meeting.get_body_display()}")
    description = [f"Session {meeting.session} of the {meeting.get_body_display()}."]
    if not meeting.confirmed:
        description.append("The UN has not confirmed these dates yet.")
    if meeting.source_url:
        description.append(meeting.source_url)
        event.add("url", meeting.source_url)
    event.add("description", "\n".join(description))
    event.add("categories", ["UN meetings"])
    event.add("transp", "TRANSPARENT")
    return event


def deadlines_calendar(user, *, site_url: str | None = None) -> bytes:
    """The feed for ``user`` as iCalendar bytes."""
    site_url = (site_url or settings.SITE_URL).rstrip("/")
    host = urlparse(site_url).hostname or "localhost"
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Ask deadlines")
    calendar.add("x-wr-caldesc", "Deadlines of the open asks you can see in the campaign tracker")
    # The feed is fetched without a session, so the zone is the user's, not the request's.
    calendar.add("x-wr-timezone", user.zone.key)
    # Ask clients to refresh hourly rather than daily.
    calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    meetings = {}
    for ask in deadline_asks_for(user):
        calendar.add_component(deadline_event(ask, site_url=site_url, host=host))
        if ask.deadline_meeting is not None:
            meetings[ask.deadline_meeting.pk] = ask.deadline_meeting
    # The meetings the user's open asks are anchored to, once each.
    for meeting in sorted(meetings.values(), key=lambda meeting: (meeting.starts_on, meeting.pk)):
        calendar.add_component(meeting_event(meeting, host=host))
    return calendar.to_ical()
