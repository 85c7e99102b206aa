"""Deadlines anchored to UN meetings: the date and the reason line an anchor
gives. Pure: the services (``ask_create``, ``ask_update``, ``un_meeting_follow``)
store what these return."""

import datetime
from typing import NamedTuple

from campaign.models import DeadlineAnchor, UNMeeting


class Anchored(NamedTuple):
    deadline: datetime.date
    reason: str
    provisional: bool


def _day(value: datetime.date) -> str:
    return f"{value.day} {value:%b}"


def moved_phrase(old: datetime.date | None, new: datetime.date) -> str:
    """“8 Jun → 15 Jun”; with the years when the move crosses one."""
    if old is None:
        return f"none → {_day(new)} {new.year}"
    if old.year != new.year:
        return f"{_day(old)} {old.year} → {_day(new)} {new.year}"
    return f"{_day(old)} → {_day(new)}"


def anchor_date(meeting: UNMeeting, anchor: str, country: str = "") -> datetime.date | None:
    """The day the anchor points at; None for a review the meeting does not list."""
    if anchor == DeadlineAnchor.OPENS:
        return meeting.starts_on
    if anchor == DeadlineAnchor.CLOSES:
        return meeting.ends_on
    if anchor == DeadlineAnchor.REVIEW:
        # Prefetched reviews when the caller has them, else one query.
        review = next((r for r in meeting.reviews.all() if r.country == country), None)
        return review.starts_on if review else None
    return None


def anchor_reason(meeting: UNMeeting, anchor: str, offset_days: int, country: str = "") -> str:
    """The reason line as a user writes it: “10 days before HRC62 opens”."""
    if anchor == DeadlineAnchor.REVIEW:
        event = f"{country}'s review at {meeting.name}"
        when = {0: f"on the day of {event}"}
        verb_event = event
    else:
        verb_event = f"{meeting.name} {anchor}"
        when = {0: f"the day {verb_event}"}
    if offset_days in when:
        return when[offset_days]
    days = abs(offset_days)
    return f"{days} day{'' if days == 1 else 's'} {'before' if offset_days < 0 else 'after'} {verb_event}"


def anchored(meeting: UNMeeting, anchor: str, offset_days: int, country: str = "") -> Anchored | None:
    day = anchor_date(meeting, anchor, country)
    if day is None:
        return None
    return Anchored(
        day + datetime.timedelta(days=offset_days),
        anchor_reason(meeting, anchor, offset_days, country),
        not meeting.confirmed,
    )
