"""The demo data: ISHR's follow-up of the UN High Commissioner's May 2022 visit to
China, and the smaller Cao Shunli memorial campaign in Geneva.

Facts, wording and dates come from ISHR's statement of 28 May 2022 and the public
timeline around it. Items that could not be public (the meeting note, the internal
vote tracker) are marked "fictional demo item" so nobody mistakes them for fact.

Loading is idempotent: every row is found by its natural key and written only when
something differs, so a second run adds no row, not even a history record. Status
and timeline are set only when an ask is first created: a status someone changed
since then is theirs, not the loader's. A few deadlines are computed from today's
date so the dashboard always has something due soon; reruns move only those fields.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from campaign import publishing, suggestions, un_symbols
from campaign.models import (
    Ask,
    AskStatus,
    Campaign,
    Evidence,
    Membership,
    Organisation,
    Outcome,
    Person,
    Role,
    Signature,
    Suggestion,
    Target,
    TargetResponse,
    UNBody,
    UNMeeting,
    Update,
)
from campaign.services import un_calendar_file_rows, un_calendar_load
from campaign.un_calendar import anchored

CHINA_SLUG = "china-high-commissioner-visit-2022"
CAO_SHUNLI_SLUG = "cao-shunli-memorial"
DEMO_CAMPAIGN_SLUGS = (CHINA_SLUG, CAO_SHUNLI_SLUG)
DEMO_ADMIN_EMAIL = "admin@example.org"

STATEMENT_TITLE = "UN Human Rights Chief concludes failed visit to China, misses historic opportunity (ISHR)"
STATEMENT_URL = (
    "https://ishr.ch/latest-updates/un-human-rights-chief-concludes-failed-visit-to-china-misses-historic-opportunity/"
)
STATEMENT_DATE = datetime.date(2022, 5, 28)
MEMORIAL_TITLE = "ISHR submits over 1,000 signatures for Cao Shunli memorial in Geneva (ISHR)"
MEMORIAL_DATE = datetime.date(2024, 4, 16)
TREATY_BODY_CHINA_URL = (
    "https://tbinternet.ohchr.org/_layouts/15/treatybodyexternal/Countries.aspx?CountryCode=CHN&Lang=EN"
)

# People: fictional staff on example.org; they cannot log in until an admin sets a password.
DEMO_USERS = {
    "lead": ("mei.lin@example.org", "Mei Lin"),
    "editor": ("tomas.berg@example.org", "Tomas Berg"),
    "editor2": ("sara.okafor@example.org", "Sara Okafor"),
    "viewer": ("paul.dubois@example.org", "Paul Dubois"),
}
CHINA_ROLES = {"lead": Role.LEAD, "editor": Role.EDITOR, "editor2": Role.EDITOR, "viewer": Role.VIEWER}
CAO_SHUNLI_ROLES = {"editor2": Role.LEAD, "editor": Role.EDITOR, "viewer": Role.VIEWER}

TARGETS = {
    "hc": ("UN High Commissioner for Human Rights", Target.Kind.UN_OFFICIAL, "Michelle Bachelet until 31 August 2022."),
    "ohchr": (
        "Office of the UN High Commissioner for Human Rights (OHCHR)",
        Target.Kind.UN_BODY,
        "The UN human rights office in Geneva.",
    ),
    "china": ("Government of China", Target.Kind.STATE, "The People's Republic of China."),
    "hrc": (
        "UN Human Rights Council",
        Target.Kind.UN_BODY,
        "The UN's intergovernmental human rights body; three regular sessions a year in Geneva.",
    ),
    "geneva_admin": (
        "Administrative Council of the City of Geneva",
        Target.Kind.OTHER,
        "Geneva's executive (Conseil administratif).",
    ),
    "geneva_municipal": (
        "Municipal Council of the City of Geneva",
        Target.Kind.OTHER,
        "Geneva's legislature (Conseil municipal).",
    ),
}


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    """Noon of ``day`` in the site's time zone: backdated timeline entries."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# --- Deadlines that move with today's date -----------------------------------


def _weekday_on_or_after(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def hrc_session_openings(year: int) -> list[tuple[int, datetime.date]]:
    """The Council's three regular sessions of ``year`` with their usual opening
    Monday: the last of February, mid-June and early September (approximate; the
    Council fixes the real dates). Session 49 opened on 28 February 2022."""
    last_february_day = datetime.date(year, 3, 1) - datetime.timedelta(days=1)
    february = last_february_day - datetime.timedelta(days=last_february_day.weekday())
    june = _weekday_on_or_after(datetime.date(year, 6, 13), 0)
    september = _weekday_on_or_after(datetime.date(year, 9, 8), 0)
    first = 49 + 3 * (year - 2022)
    return [(first, february), (first + 1, june), (first + 2, september)]


def next_hrc_session(today: datetime.date) -> tuple[int, datetime.date]:
    """The next regular session expected to open after ``today``."""
    for number, opening in hrc_session_openings(today.year) + hrc_session_openings(today.year + 1):
        if opening > today:
            return number, opening
    raise AssertionError("unreachable: next year always has a session")


def rolling_deadlines(today: datetime.date) -> dict[str, tuple[datetime.date, str]]:
    """Follow-up dates kept ahead of today. Deadlines set by the Council's
    sessions are anchored to the UN calendar instead (``DemoAsk.anchor``)."""
    return {
        "follow_up_10": (
            today + datetime.timedelta(days=10),
            "team's next follow-up date (demo data: kept 10 days ahead of today)",
        ),
        "follow_up_30": (
            today + datetime.timedelta(days=30),
            "team's next follow-up date (demo data: kept 30 days ahead of today)",
        ),
    }


# --- What the demo holds -------------------------------------------------------


@dataclass
class DemoUpdate:
    on: datetime.date
    note: str
    author: str = "lead"
    new_status: str = ""  # empty: a plain note
    # Published for the public page with this public status (issue 20); the note
    # is then public as written. Empty: internal only.
    public_status: str = ""
    outcome: "DemoOutcome | None" = None  # what a closing status rests on


@dataclass
class DemoOutcome:
    evidence: str  # the title of one of the campaign's DemoEvidence
    response: str
    rationale: str


@dataclass
class DemoAsk:
    key: str
    title: str
    target: str
    wording: str
    owner: str
    priority: str
    status: str  # the status the timeline below ends in
    deadline: datetime.date | str | None = None  # a date, or a key of rolling_deadlines()
    deadline_reason: str = ""
    # (meeting, "opens" or "closes", days): a deadline anchored to the UN calendar;
    # meeting "next" is the Council's next regular session after today.
    anchor: tuple[str, str, int] | None = None
    source_title: str = STATEMENT_TITLE
    source_url: str = STATEMENT_URL
    source_date: datetime.date = STATEMENT_DATE
    updates: list[DemoUpdate] = field(default_factory=list)
    # On the campaign's public page (issue 20): the asks ISHR made public in 2022.
    public: bool = False


@dataclass
class DemoEvidence:
    title: str
    kind: str
    asks: list[str]
    reference: str = ""
    url: str = ""
    published_on: datetime.date | None = None
    summary: str = ""
    assessment: str = Evidence.Assessment.CONTEXT
    sensitivity: str = Evidence.Sensitivity.PUBLIC
    added_by: str = "editor"


CHINA_ASKS = [
    DemoAsk(
        key="publish",
        public=True,
        title="Publish the OHCHR report on the Uyghur region",
        target="hc",
        wording=(
            "Immediately publish the OHCHR report on the Uyghur region, with clear, compelling "
            "recommendations to the Chinese government"
        ),
        owner="lead",
        priority=Ask.Priority.HIGH,
        status=AskStatus.MET,
        anchor=("HRC50", "opens", 0),
        updates=[
            DemoUpdate(
                datetime.date(2022, 5, 28),
                "Ask made public in ISHR's statement at the end of the High Commissioner's visit to China.",
                public_status=AskStatus.OPEN,
            ),
            DemoUpdate(
                datetime.date(2022, 6, 13),
                "The 50th session of the Human Rights Council opened; the report is still unpublished.",
                author="editor",
            ),
            DemoUpdate(
                datetime.date(2022, 8, 31),
                "OHCHR published its assessment of human rights concerns in the Xinjiang Uyghur Autonomous "
                "Region on 31 August 2022, the last day of the High Commissioner's mandate: met, but late.",
                new_status=AskStatus.MET,
                public_status=AskStatus.MET,
                outcome=DemoOutcome(
                    evidence="OHCHR assessment of human rights concerns in the Xinjiang Uyghur Autonomous Region",
                    response=TargetResponse.SUPPORTED,
                    rationale=(
                        "The High Commissioner did what was asked: OHCHR published its assessment on 31 August "
                        "2022, with recommendations to the Chinese government. It came late, on the last day of "
                        "her mandate and after the 50th session we named as the deadline, so the Council could "
                        "not take it up then."
                    ),
                ),
            ),
        ],
    ),
    DemoAsk(
        key="briefing",
        public=True,
        title="Present the findings in a briefing to the Human Rights Council",
        target="hc",
        wording="present her findings in a briefing to the Human Rights Council.",
        owner="lead",
        priority=Ask.Priority.HIGH,
        status=AskStatus.NOT_MET,
        anchor=("HRC50", "closes", 0),
        updates=[
            DemoUpdate(
                datetime.date(2022, 7, 8),
                "The 50th session closed without a briefing on the Uyghur region.",
                author="editor",
                public_status=AskStatus.OPEN,
            ),
            DemoUpdate(
                datetime.date(2022, 8, 31),
                "The High Commissioner's mandate ended on 31 August 2022 with the assessment published but "
                "never presented to the Council.",
                public_status=AskStatus.OPEN,
            ),
            DemoUpdate(
                datetime.date(2022, 10, 6),
                "At its 51st session the Council rejected a draft decision to hold a debate on the OHCHR "
                "assessment (17 for, 19 against, 11 abstentions).",
                author="editor",
                new_status=AskStatus.NOT_MET,
                public_status=AskStatus.NOT_MET,
                outcome=DemoOutcome(
                    evidence="Human Rights Council vote on a debate about the OHCHR assessment",
                    response=TargetResponse.NO_REPLY,
                    rationale=(
                        "The High Commissioner never presented the findings to the Council, and her mandate "
                        "ended on 31 August 2022. On 6 October 2022 the Council voted down a debate on the "
                        "assessment (17 for, 19 against, 11 abstentions), so no briefing will come of this ask."
                    ),
                ),
            ),
        ],
    ),
    DemoAsk(
        key="public_dialogue",
        public=True,
        title="Make the 'annual strategic meeting' and 'working group' public",
        target="ohchr",
        wording=(
            "Ensure that the established ‘annual strategic meeting’ and ‘working group’ for dialogue with "
            "the authorities are of a public nature, include specific substantive concerns and "
            "recommendations to the government, and involve meaningful consultation with a diverse set of "
            "independent civil society groups."
        ),
        owner="editor",
        priority=Ask.Priority.MEDIUM,
        status=AskStatus.IN_PROGRESS,
        deadline="follow_up_10",
        updates=[
            DemoUpdate(
                datetime.date(2022, 5, 28),
                "Ask made public in ISHR's statement; the High Commissioner did not say whether these "
                "exchanges would be public, nor when and in what format they would take place.",
                public_status=AskStatus.OPEN,
            ),
            DemoUpdate(
                datetime.date(2022, 7, 14),
                "Raised with OHCHR staff in a closed meeting (fictional demo entry). The campaign's "
                "editors and leads keep the meeting note with its evidence.",
                author="editor",
                new_status=AskStatus.IN_PROGRESS,
            ),
        ],
    ),
    DemoAsk(
        key="access",
        public=True,
        title="Grant prompt, unfettered access to Hong Kong and the Tibetan region",
        target="china",
        wording=(
            "ISHR also calls on the Chinese government to follow suit on promises for subsequent visits by "
            "the OHCHR by granting prompt unfettered access to Hong Kong and the Tibetan region."
        ),
        owner="editor2",
        priority=Ask.Priority.MEDIUM,
        status=AskStatus.OPEN,
        anchor=("next", "opens", 0),
        updates=[
            DemoUpdate(
                datetime.date(2022, 5, 28),
                "Ask made public in ISHR's statement.",
                author="editor2",
                public_status=AskStatus.OPEN,
            ),
        ],
    ),
    DemoAsk(
        key="mechanism",
        public=True,
        title="Establish an independent UN mechanism to monitor human rights in China",
        target="hrc",
        wording=(
            "In June 2020, over 50 Special Procedures experts called for ‘decisive measures to protect "
            "fundamental freedoms in China’, including the establishment by the Human Rights Council of "
            "‘an impartial and independent United Nations mechanism to closely monitor, analyse and report "
            "annually on the human rights situation in China.’"
        ),
        owner="editor",
        priority=Ask.Priority.HIGH,
        status=AskStatus.IN_PROGRESS,
        anchor=("HRC51", "closes", 0),
        updates=[
            DemoUpdate(
                datetime.date(2022, 5, 28),
                "ISHR's statement recalls the call made on 26 June 2020 by over 50 Special Procedures experts.",
                public_status=AskStatus.OPEN,
            ),
            DemoUpdate(
                datetime.date(2022, 9, 12),
                "The 51st session opened with the OHCHR assessment published; lobbying of Council members under way.",
                author="editor",
                new_status=AskStatus.IN_PROGRESS,
            ),
            DemoUpdate(
                datetime.date(2022, 10, 6),
                "The Council rejected a draft decision to hold a debate on the OHCHR assessment (17 for, "
                "19 against, 11 abstentions); no mechanism at this session.",
                author="editor",
                public_status=AskStatus.IN_PROGRESS,
            ),
        ],
    ),
    DemoAsk(
        key="follow_up_action",
        title="Follow-up: international action on the OHCHR assessment",
        target="hrc",
        wording=(
            "The one thing she should do now is to immediately publish her report with strong "
            "recommendations to China, and a call for action to the international community."
        ),
        owner="lead",
        priority=Ask.Priority.MEDIUM,
        status=AskStatus.OPEN,
        anchor=("next", "opens", 0),
        updates=[
            DemoUpdate(
                datetime.date(2022, 10, 7),
                "After the vote of 6 October 2022, the team carries the call for action on to the next "
                "Council sessions.",
            ),
        ],
    ),
]

CHINA_EVIDENCE = [
    *[
        DemoEvidence(
            title=f"Special Procedures communication {symbol}",
            kind=Evidence.Kind.UN_DOCUMENT,
            reference=symbol,
            asks=["publish", "briefing", "mechanism"],
            summary=(
                "A communication from UN Special Procedures experts to the Government of China, cited in "
                "ISHR's statement of 28 May 2022 among the evidence of grave human rights violations."
            ),
        )
        for symbol in (
            "CHN 13/2018",
            "CHN 21/2018",
            "CHN 18/2019",
            "CHN 14/2020",
            "CHN 18/2020",
            "CHN 21/2020",
            "CHN 4/2021",
            "CHN 5/2021",
        )
    ],
    DemoEvidence(
        title="Special Procedures press release of 29 March 2021",
        kind=Evidence.Kind.STATEMENT,
        reference="OHCHR press release, 29 March 2021",
        published_on=datetime.date(2021, 3, 29),
        asks=["publish", "mechanism"],
        summary="Press release by UN Special Procedures experts, cited in ISHR's statement with the communications.",
    ),
    DemoEvidence(
        title="CERD Concluding Observations on China (2018)",
        kind=Evidence.Kind.UN_DOCUMENT,
        reference="CERD/C/CHN/CO/14-17",
        url=TREATY_BODY_CHINA_URL,
        published_on=datetime.date(2018, 9, 19),
        asks=["publish", "mechanism"],
        summary="The Committee on the Elimination of Racial Discrimination's concluding observations, adopted in August 2018.",
    ),
    DemoEvidence(
        title="CERD Follow-up Letter to China (2020)",
        kind=Evidence.Kind.UN_DOCUMENT,
        url=TREATY_BODY_CHINA_URL,
        asks=["publish", "mechanism"],
        summary="CERD's 2020 letter on China's follow-up to the 2018 concluding observations.",
    ),
    DemoEvidence(
        title="CESCR List of Issues on China (2021)",
        kind=Evidence.Kind.UN_DOCUMENT,
        reference="E/C.12/CHN/Q/3",
        url=TREATY_BODY_CHINA_URL,
        asks=["mechanism"],
        summary="The Committee on Economic, Social and Cultural Rights' list of issues for China's third report.",
    ),
    DemoEvidence(
        title="CEDAW List of Issues on China (2021)",
        kind=Evidence.Kind.UN_DOCUMENT,
        reference="CEDAW/C/CHN/Q/9",
        url=TREATY_BODY_CHINA_URL,
        asks=["mechanism"],
        summary="The Committee on the Elimination of Discrimination against Women's list of issues for China's ninth report.",
    ),
    DemoEvidence(
        title="The “Xinjiang Police Files”",
        kind=Evidence.Kind.MEDIA_REPORT,
        url="https://www.xinjiangpolicefiles.org/",
        published_on=datetime.date(2022, 5, 24),
        asks=["publish", "mechanism"],
        assessment=Evidence.Assessment.SHOWS_REGRESSION,
        summary=(
            "Leaked files published during the High Commissioner's visit; ISHR cites them as new evidence of "
            "high-level acquiescence in Beijing's repression against Uyghurs."
        ),
    ),
    DemoEvidence(
        title="High Commissioner's end-of-visit statement, Guangzhou",
        kind=Evidence.Kind.STATEMENT,
        url="https://www.ohchr.org/en/statements/2022/05/statement-un-high-commissioner-human-rights-michelle-bachelet-after-official-visit",
        published_on=datetime.date(2022, 5, 28),
        asks=["public_dialogue", "access", "briefing"],
        summary=(
            "Announces an ‘annual strategic meeting’ and a ‘working group to facilitate substantive "
            "exchanges and cooperation’ with the authorities, without saying whether they will be public."
        ),
    ),
    DemoEvidence(
        title="OHCHR assessment of human rights concerns in the Xinjiang Uyghur Autonomous Region",
        kind=Evidence.Kind.UN_DOCUMENT,
        url="https://www.ohchr.org/en/documents/country-reports/ohchr-assessment-human-rights-concerns-xinjiang-uyghur-autonomous-region",
        published_on=datetime.date(2022, 8, 31),
        asks=["publish", "briefing", "follow_up_action"],
        assessment=Evidence.Assessment.SHOWS_PROGRESS,
        summary="Published on the last day of the High Commissioner's mandate.",
    ),
    DemoEvidence(
        title="Human Rights Council vote on a debate about the OHCHR assessment",
        kind=Evidence.Kind.UN_DOCUMENT,
        reference="HRC 51st session, vote of 6 October 2022",
        published_on=datetime.date(2022, 10, 6),
        asks=["briefing", "mechanism", "follow_up_action"],
        assessment=Evidence.Assessment.SHOWS_REGRESSION,
        summary="The draft decision to hold a debate was rejected: 17 for, 19 against, 11 abstentions.",
    ),
    DemoEvidence(
        title="Meeting note: closed meeting with OHCHR staff on the ‘working group’ (fictional demo item)",
        kind=Evidence.Kind.MEETING_NOTE,
        reference="DEMO-NOTE-2022-07-14",
        published_on=datetime.date(2022, 7, 14),
        asks=["public_dialogue"],
        sensitivity=Evidence.Sensitivity.CONFIDENTIAL,
        summary=(
            "Fictional demo content: who attended, what was said off the record, and which civil society "
            "contacts were named. Confidential: only the campaign's editors and leads can see it."
        ),
    ),
    DemoEvidence(
        title="Tracker of Council members' positions before the 51st session (fictional demo item)",
        kind=Evidence.Kind.DATASET,
        reference="DEMO-TRACKER-HRC51",
        published_on=datetime.date(2022, 9, 30),
        asks=["mechanism"],
        sensitivity=Evidence.Sensitivity.INTERNAL,
        summary="Fictional demo content: the team's working spreadsheet of expected votes. Internal: every member can see it.",
    ),
]

MEMORIAL_WORDING = (
    "On Tuesday 16 April 2024, ISHR delivered to both Geneva’s Administrative Council and its legislative "
    "counterpart, the Municipal Council, physical copies of the more than 1000 signatures collected in support "
    "of a memorial honouring Chinese human rights defender Cao Shunli."
)
MEMORIAL_DELIVERED = (
    "Delivered physical copies of the more than 1,000 signatures to Geneva's Administrative Council and "
    "Municipal Council."
)

CAO_SHUNLI_ASKS = [
    DemoAsk(
        key="memorial_admin",
        title="Approve a memorial honouring Cao Shunli in Geneva",
        target="geneva_admin",
        wording=MEMORIAL_WORDING,
        owner="editor2",
        priority=Ask.Priority.HIGH,
        status=AskStatus.IN_PROGRESS,
        deadline="follow_up_30",
        source_title=MEMORIAL_TITLE,
        source_url="",
        source_date=MEMORIAL_DATE,
        updates=[DemoUpdate(MEMORIAL_DATE, MEMORIAL_DELIVERED, author="editor2", new_status=AskStatus.IN_PROGRESS)],
    ),
    DemoAsk(
        key="memorial_municipal",
        title="Support the Cao Shunli memorial in the Municipal Council",
        target="geneva_municipal",
        wording=MEMORIAL_WORDING,
        owner="editor",
        priority=Ask.Priority.MEDIUM,
        status=AskStatus.OPEN,
        source_title=MEMORIAL_TITLE,
        source_url="",
        source_date=MEMORIAL_DATE,
        updates=[DemoUpdate(MEMORIAL_DATE, MEMORIAL_DELIVERED, author="editor2")],
    ),
]

CAO_SHUNLI_EVIDENCE = [
    DemoEvidence(
        title="ISHR: over 1,000 signatures submitted for a Cao Shunli memorial",
        kind=Evidence.Kind.STATEMENT,
        reference="ISHR news, 16 April 2024",
        published_on=MEMORIAL_DATE,
        asks=["memorial_admin", "memorial_municipal"],
        assessment=Evidence.Assessment.SHOWS_PROGRESS,
        added_by="editor2",
        summary="ISHR's news item on the delivery of the signatures to both councils.",
    ),
]


# --- Writing it ----------------------------------------------------------------


def _upsert(model, manager, lookup: dict, values: dict, create_only: dict | None = None):
    """Find by ``lookup``; create with ``values`` and ``create_only``, or save only
    the fields of ``values`` that differ. An unchanged row is not saved at all, so
    rerunning writes no history records."""
    obj = manager.filter(**lookup).first()
    if obj is None:
        return manager.create(**lookup, **values, **(create_only or {})), True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        extra = [name for name in ("updated_at", "version") if hasattr(obj, name)]
        if hasattr(obj, "version"):
            obj.version += 1  # an edit form loaded before this run must not overwrite it
        obj.save(update_fields=changed + extra)
    return obj, False


def _demo_users() -> dict[str, User]:
    users = {}
    for key, (email, full_name) in DEMO_USERS.items():
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(email=email, full_name=full_name, is_staff=False)
            user.set_unusable_password()
            user.save()
        elif user.full_name != full_name:
            user.full_name = full_name
            user.save(update_fields=["full_name"])
        users[key] = user
    return users


def _memberships(campaign: Campaign, users: dict[str, User], roles: dict[str, str]):
    for key, role in roles.items():
        _upsert(Membership, Membership.objects, {"campaign": campaign, "user": users[key]}, {"role": role})


# A regular session runs about four weeks, Monday to Friday.
COUNCIL_SESSION_WEEKS = 4


def next_council_session(today: datetime.date) -> UNMeeting:
    """The Council's next regular session in the UN calendar. Past the shipped
    calendar's last row, one estimated from the usual pattern is added,
    unconfirmed: the demo never shows a made-up date as certain."""
    upcoming = UNMeeting.objects.filter(body=UNBody.HRC, starts_on__gt=today).order_by("starts_on").first()
    if upcoming is not None:
        return upcoming
    number, opening = next_hrc_session(today)
    meeting, _ = UNMeeting.objects.get_or_create(
        body=UNBody.HRC,
        session=str(number),
        defaults={
            "starts_on": opening,
            "ends_on": opening + datetime.timedelta(days=COUNCIL_SESSION_WEEKS * 7 - 3),
            "confirmed": False,
            "source_url": "https://www.ohchr.org/en/hr-bodies/hrc/sessions",
            "note": "Added by the demo: dates estimated from the Council's usual pattern, not announced by the UN.",
        },
    )
    return meeting


def _anchor_fields(demo: DemoAsk, today: datetime.date) -> dict:
    meeting_name, point, days = demo.anchor
    if meeting_name == "next":
        meeting = next_council_session(today)
    else:
        meeting = UNMeeting.objects.get(body=meeting_name[:3], session=meeting_name[3:])
    result = anchored(meeting, point, days)
    return {
        "deadline": result.deadline,
        "deadline_reason": result.reason,
        "deadline_provisional": result.provisional,
        "deadline_meeting": meeting,
        "deadline_anchor": point,
        "deadline_offset_days": days,
    }


def _asks(campaign, demo_asks, targets, users, today) -> dict[str, Ask]:
    rolling = rolling_deadlines(today)
    asks = {}
    for demo in demo_asks:
        anchor = (
            _anchor_fields(demo, today)
            if demo.anchor
            else {"deadline_meeting": None, "deadline_anchor": "", "deadline_provisional": False}
        )
        if demo.anchor:
            deadline, deadline_reason = anchor.pop("deadline"), anchor.pop("deadline_reason")
        elif isinstance(demo.deadline, str):
            deadline, deadline_reason = rolling[demo.deadline]
        else:
            deadline, deadline_reason = demo.deadline, demo.deadline_reason
        first_update = _at(demo.updates[0].on) if demo.updates else _at(demo.source_date)
        last_update = _at(demo.updates[-1].on) if demo.updates else first_update
        ask, created = _upsert(
            Ask,
            Ask.all_objects,
            {"campaign": campaign, "title": demo.title},
            {
                "target": targets[demo.target],
                "wording": demo.wording,
                "source_title": demo.source_title,
                "source_url": demo.source_url,
                "source_date": demo.source_date,
                "priority": demo.priority,
                "owner": users[demo.owner],
                "deadline": deadline,
                "deadline_reason": deadline_reason,
                **anchor,
            },
            create_only={"status": demo.status, "created_at": first_update, "last_activity_at": last_update},
        )
        if created:
            _timeline(ask, demo.updates, users)
        asks[demo.key] = ask
    return asks


def _timeline(ask: Ask, updates: list[DemoUpdate], users):
    """Backdated history, written once with the ask it belongs to. The status
    changes chain from "open" to the ask's final status, as the service would
    have written them at the time."""
    status = AskStatus.OPEN
    for entry in updates:
        Update.objects.create(
            ask=ask,
            campaign=ask.campaign,
            author=users[entry.author],
            created_at=_at(entry.on),
            note=entry.note,
            old_status=status if entry.new_status else "",
            new_status=entry.new_status,
            published=bool(entry.public_status),
            published_at=_at(entry.on) if entry.public_status else None,
            public_note=entry.note if entry.public_status else "",
            public_status=entry.public_status,
        )
        status = entry.new_status or status
    if status != ask.status:
        raise AssertionError(f"The demo timeline of “{ask}” ends in {status}, not {ask.status}.")


def _evidence(campaign, demo_evidence, asks, users):
    for demo in demo_evidence:
        added_on = max(demo.published_on or campaign.started_on, campaign.started_on)
        reference = un_symbols.parse(demo.reference)
        item, _ = _upsert(
            Evidence,
            Evidence.all_objects,
            {"campaign": campaign, "title": demo.title},
            {
                "kind": demo.kind,
                "reference": demo.reference,
                "reference_canonical": reference.canonical,
                "reference_kind": reference.kind,
                "url": demo.url,
                "published_on": demo.published_on,
                "summary": demo.summary,
                "assessment": demo.assessment,
                "sensitivity": demo.sensitivity,
            },
            create_only={"added_by": users[demo.added_by], "added_at": _at(added_on, hour=15)},
        )
        wanted = {asks[key].pk for key in demo.asks}
        if set(item.asks.values_list("pk", flat=True)) != wanted:
            item.asks.set(wanted)


def _publish(campaign, demo_asks, asks, lead):
    """The public face of 2022: the campaign and the asks of the statement, with
    the updates marked public above and the evidence whose sensitivity is public.
    Published once: a lead's later unpublishing is not undone by rerunning, and
    rerunning writes no history."""
    if campaign.published_at is None:
        publishing.campaign_publish(
            campaign=campaign,
            actor=lead,
            public_title=campaign.title,
            public_summary=campaign.summary,
            allow_indexing=False,
        )
    for demo in demo_asks:
        ask = asks[demo.key]
        if demo.public and ask.published_at is None:
            publishing.ask_publish(
                ask=ask,
                actor=lead,
                public_wording=ask.wording,
                public_source_title=ask.source_title,
                public_source_url=ask.source_url,
                public_source_date=ask.source_date,
            )


# A suggestion from the public, waiting in the China campaign's queue (issue 20).
CHINA_SUGGESTION = {
    "ask": "mechanism",
    "text": (
        "The Human Rights Council voted down the draft decision to debate the OHCHR assessment on "
        "6 October 2022: 17 in favour, 19 against, 11 abstentions."
    ),
    "date": datetime.date(2022, 10, 6),
}


def _suggestion(campaign, asks, suggestion: dict):
    """Sent once: a lead's decision on it is not undone by rerunning."""
    if Suggestion.objects.filter(campaign=campaign, text=suggestion["text"]).exists():
        return
    suggestions.suggestion_submit(
        campaign_id=campaign.pk, ask_id=asks[suggestion["ask"]].pk, text=suggestion["text"], date=suggestion["date"]
    )


# The people the demo asks concern. The China campaign's defender is invented
# (the demo names no living person at risk); Cao Shunli, who died in detention
# in 2014, is the memorial campaign's public subject.
CHINA_PEOPLE = [
    {
        "name": "Fictional Defender (demo)",
        "other_names": "虚构维权人士\nئويدۇرما ھوقۇق قوغدىغۇچى",
        "risk": "high",
        "consent": "internal",
        "asks": ["mechanism"],
    },
]
CAO_SHUNLI_PEOPLE = [
    {"name": "Cao Shunli", "other_names": "曹顺利", "risk": "none", "consent": "public", "asks": ["memorial_admin"]},
]


def _outcomes(campaign, demo_asks, asks, users):
    """What each closing status change of the timelines rests on, written once
    (the timeline's status changes come first; the evidence after them)."""
    for demo in demo_asks:
        for entry in demo.updates:
            if entry.outcome is None:
                continue
            ask = asks[demo.key]
            update = Update.objects.filter(ask=ask, created_at=_at(entry.on), new_status=entry.new_status).first()
            # None: a timeline an earlier demo wrote differently, or someone changed; it stays as it is.
            if update is None or Outcome.objects.filter(update=update).exists():
                continue
            evidence = Evidence.all_objects.get(campaign=campaign, title=entry.outcome.evidence)
            Outcome.objects.create(
                ask=ask,
                update=update,
                status=entry.new_status,
                evidence=evidence,
                response=entry.outcome.response,
                rationale=entry.outcome.rationale,
                author=users[entry.author],
                created_at=update.created_at,
                # Only the last status change's outcome stands; an earlier one was reopened since.
                reopened_at=None if entry.new_status == ask.status else update.created_at,
            )


# Who signed the demo's asks, as the public record names them: ISHR's own
# statement of 28 May 2022, and the memorial petition ISHR delivered on 16 April 2024.
ISHR = ("International Service for Human Rights (ISHR)", "Switzerland", "https://ishr.ch/")
CHINA_SIGNATORIES = {
    key: [(ISHR, "lead_drafter", STATEMENT_DATE)]
    for key in ("publish", "briefing", "public_dialogue", "access", "mechanism")
}
CAO_SHUNLI_SIGNATORIES = {"memorial_admin": [(ISHR, "lead_drafter", MEMORIAL_DATE)]}


def _signatories(demo_signatories, asks):
    for key, signatures in demo_signatories.items():
        for (name, country, website), role, signed_on in signatures:
            organisation, _ = _upsert(
                Organisation, Organisation.objects, {"name": name}, {"country": country, "website": website}
            )
            _upsert(
                Signature,
                Signature.objects,
                {"ask": asks[key], "organisation": organisation},
                {"role": role, "signed_on": signed_on, "public": True},
            )


def _people(campaign, demo_people, asks):
    for demo in demo_people:
        values = {name: demo[name] for name in ("other_names", "risk", "consent")}
        person, _ = _upsert(Person, Person.objects, {"campaign": campaign, "name": demo["name"]}, values)
        wanted = {asks[key].pk for key in demo["asks"]}
        if set(person.asks.values_list("pk", flat=True)) != wanted:
            person.asks.set(wanted)


def demo_admin_join_campaigns(admin: User):
    """The demo admin leads both demo campaigns, so the web pages show them."""
    for campaign in Campaign.objects.filter(slug__in=DEMO_CAMPAIGN_SLUGS):
        _upsert(Membership, Membership.objects, {"campaign": campaign, "user": admin}, {"role": Role.LEAD})


@transaction.atomic
def demo_load(*, today: datetime.date | None = None) -> dict[str, Campaign]:
    """Create or refresh both demo campaigns; returns them by slug."""
    today = today or timezone.localdate()
    # The deadlines are anchored to the Council's sessions: the shipped calendar first.
    un_calendar_load(rows=un_calendar_file_rows())
    users = _demo_users()
    targets = {
        key: _upsert(Target, Target.objects, {"name": name}, {"kind": kind, "description": description})[0]
        for key, (name, kind, description) in TARGETS.items()
    }

    china, _ = _upsert(
        Campaign,
        Campaign.objects,
        {"slug": CHINA_SLUG},
        {
            "title": "UN High Commissioner's visit to China: follow-up",
            "summary": (
                "Following up ISHR's demands after the UN High Commissioner for Human Rights' visit to China "
                "(23–28 May 2022), the first in 17 years: publish the report on the Uyghur region, brief the "
                "Human Rights Council, make the new dialogue public, open access to Hong Kong and Tibet, and "
                "establish independent UN monitoring."
            ),
            "country_or_region": "China",
            "status": Campaign.Status.ACTIVE,
            "started_on": STATEMENT_DATE,
            "ends_on": None,
        },
    )
    _memberships(china, users, CHINA_ROLES)
    china_asks = _asks(china, CHINA_ASKS, targets, users, today)
    _evidence(china, CHINA_EVIDENCE, china_asks, users)
    _publish(china, CHINA_ASKS, china_asks, users["lead"])
    _suggestion(china, china_asks, CHINA_SUGGESTION)
    _people(china, CHINA_PEOPLE, china_asks)
    _outcomes(china, CHINA_ASKS, china_asks, users)
    _signatories(CHINA_SIGNATORIES, china_asks)

    memorial, _ = _upsert(
        Campaign,
        Campaign.objects,
        {"slug": CAO_SHUNLI_SLUG},
        {
            "title": "A memorial for Cao Shunli in Geneva",
            "summary": (
                "A memorial in Geneva honouring Chinese human rights defender Cao Shunli. On 16 April 2024 "
                "ISHR delivered over 1,000 signatures to the city's Administrative and Municipal Councils."
            ),
            "country_or_region": "Switzerland (Geneva)",
            "status": Campaign.Status.ACTIVE,
            "started_on": MEMORIAL_DATE,
            "ends_on": None,
        },
    )
    _memberships(memorial, users, CAO_SHUNLI_ROLES)
    memorial_asks = _asks(memorial, CAO_SHUNLI_ASKS, targets, users, today)
    _evidence(memorial, CAO_SHUNLI_EVIDENCE, memorial_asks, users)
    _people(memorial, CAO_SHUNLI_PEOPLE, memorial_asks)
    _signatories(CAO_SHUNLI_SIGNATORIES, memorial_asks)

    admin = User.objects.filter(email__iexact=DEMO_ADMIN_EMAIL).first()
    if admin is not None:
        demo_admin_join_campaigns(admin)
    return {CHINA_SLUG: china, CAO_SHUNLI_SLUG: memorial}
