import datetime
import io
import stat

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from campaign.demo import CAO_SHUNLI_SLUG, CHINA_SLUG, DEMO_ADMIN_EMAIL, next_hrc_session
from campaign.models import Ask, AskStatus, Campaign, Evidence, Membership, Role, Update
from tests.two_factor import force_login_verified

pytestmark = pytest.mark.django_db


def _row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def _load():
    call_command("load_ishr_demo", stdout=io.StringIO())


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def _ensure_admin(capsys):
    call_command("ensure_demo_admin")
    return capsys.readouterr().out


def test_loading_the_demo_twice_changes_no_row_count_of_any_model():
    _load()
    first = _row_counts()
    _load()
    assert _row_counts() == first
    assert first["campaign.Ask"] >= 7
    assert first["campaign.Update"] > first["campaign.Ask"]


def test_the_five_asks_of_the_statement_exist_with_their_targets_and_source():
    _load()
    china = Campaign.objects.get(slug=CHINA_SLUG)
    expected = {
        "Immediately publish the OHCHR report on the Uyghur region": "UN High Commissioner for Human Rights",
        "present her findings in a briefing to the Human Rights Council": "UN High Commissioner for Human Rights",
        "‘annual strategic meeting’ and ‘working group’": "Office of the UN High Commissioner for Human Rights (OHCHR)",
        "granting prompt unfettered access to Hong Kong and the Tibetan region": "Government of China",
        "an impartial and independent United Nations mechanism": "UN Human Rights Council",
    }
    for phrase, target in expected.items():
        ask = Ask.objects.get(campaign=china, wording__contains=phrase)
        assert ask.target.name == target
        assert ask.source_date == datetime.date(2022, 5, 28)
        assert "failed visit to China" in ask.source_title
    assert Ask.objects.get(campaign=china, title__startswith="Publish the OHCHR report").status == AskStatus.MET
    assert Ask.objects.get(campaign=china, title__startswith="Present the findings").status == AskStatus.NOT_MET


def test_status_timeline_agrees_with_each_ask():
    _load()
    for ask in Ask.objects.all():
        changes = list(ask.updates.exclude(new_status="").order_by("created_at"))
        last_status = changes[-1].new_status if changes else AskStatus.OPEN
        assert last_status == ask.status, ask.title
        assert ask.last_activity_at == ask.updates.order_by("-created_at")[0].created_at


def test_publish_ask_was_met_on_the_day_the_assessment_came_out():
    _load()
    ask = Ask.objects.get(title__startswith="Publish the OHCHR report")
    met = ask.updates.get(new_status=AskStatus.MET)
    assert timezone.localdate(met.created_at) == datetime.date(2022, 8, 31)


def test_evidence_of_the_statement_is_linked_and_sensitivity_rules_have_data():
    _load()
    references = set(Evidence.objects.values_list("reference", flat=True))
    for symbol in ("CHN 13/2018", "CHN 21/2018", "CHN 18/2019", "CHN 14/2020", "CHN 18/2020", "CHN 21/2020"):
        assert symbol in references
    assert {"CHN 4/2021", "CHN 5/2021", "CERD/C/CHN/CO/14-17"} <= references
    mechanism = Ask.objects.get(title__startswith="Establish an independent UN mechanism")
    assert mechanism.evidence.filter(reference="CHN 13/2018").exists()
    assert Evidence.objects.filter(title__contains="Xinjiang Police Files", sensitivity="public").exists()
    assert Evidence.objects.filter(sensitivity=Evidence.Sensitivity.CONFIDENTIAL).exists()
    assert Evidence.objects.filter(sensitivity=Evidence.Sensitivity.INTERNAL).exists()
    viewer = User.objects.get(email="paul.dubois@example.org")
    assert not Evidence.objects.visible_to(viewer).filter(sensitivity="confidential").exists()


def test_some_asks_are_due_soon_and_some_overdue_whatever_the_date():
    _load()
    assert Ask.objects.due_within(14).exists()
    assert Ask.objects.overdue().exists()


def test_open_asks_are_anchored_to_the_next_council_session_and_move_on_a_later_day(time_machine):
    time_machine.move_to(datetime.datetime(2026, 1, 10, 9, tzinfo=datetime.UTC))
    _load()
    counts = _row_counts()
    access = Ask.objects.get(title__startswith="Grant prompt")
    assert access.deadline == datetime.date(2026, 2, 23)
    assert access.deadline_reason == "the day HRC61 opens"
    assert str(access.deadline_meeting) == "HRC61" and not access.deadline_provisional

    time_machine.move_to(datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC))
    _load()
    access.refresh_from_db()
    assert access.deadline == datetime.date(2026, 6, 15)
    assert access.deadline_reason == "the day HRC62 opens"
    assert access.deadline_provisional  # HRC62 ships unconfirmed: never shown as certain
    changed = {label for label, count in _row_counts().items() if count != counts[label]}
    # Only simple-history's record of the edited asks grows.
    assert changed <= {"campaign.HistoricalAsk"}


def test_past_deadlines_are_anchored_to_the_real_sessions():
    _load()
    by_title = {ask.title: ask for ask in Ask.objects.select_related("deadline_meeting")}
    publish = by_title["Publish the OHCHR report on the Uyghur region"]
    briefing = by_title["Present the findings in a briefing to the Human Rights Council"]
    mechanism = by_title["Establish an independent UN mechanism to monitor human rights in China"]
    assert (publish.deadline, publish.deadline_reason) == (datetime.date(2022, 6, 13), "the day HRC50 opens")
    assert (briefing.deadline, briefing.deadline_reason) == (datetime.date(2022, 7, 8), "the day HRC50 closes")
    assert (mechanism.deadline, mechanism.deadline_reason) == (datetime.date(2022, 10, 7), "the day HRC51 closes")


def test_past_the_shipped_calendar_the_next_session_is_added_unconfirmed(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 7, 9, tzinfo=datetime.UTC))
    _load()
    access = Ask.objects.select_related("deadline_meeting").get(title__startswith="Grant prompt")
    assert str(access.deadline_meeting) == "HRC64"
    assert access.deadline == datetime.date(2027, 2, 22)
    assert not access.deadline_meeting.confirmed and access.deadline_provisional


def test_the_demo_evidence_shows_its_symbols_linked(client, superuser):
    _load()
    from campaign.models import Evidence

    force_login_verified(client, superuser)  # staff need a second factor
    publish = Ask.objects.get(title="Publish the OHCHR report on the Uyghur region")
    response = client.get(publish.get_absolute_url())
    assert response.status_code == 200, response
    html = response.content.decode()
    assert '<a href="https://docs.un.org/en/CERD/C/CHN/CO/14-17" class="un-ref"' in html
    assert '<a href="https://spcommreports.ohchr.org/" class="un-ref" rel="noopener noreferrer">CHN 13/2018</a>' in html

    cerd = Evidence.objects.get(reference="CERD/C/CHN/CO/14-17")
    assert (cerd.reference_canonical, cerd.reference_kind) == ("CERD/C/CHN/CO/14-17", "un_symbol")
    assert Evidence.objects.get(reference="CHN 13/2018").reference_kind == "communication"
    assert Evidence.objects.get(reference="OHCHR press release, 29 March 2021").is_unrecognised_reference


def test_next_hrc_session_matches_known_openings():
    assert next_hrc_session(datetime.date(2022, 5, 28)) == (50, datetime.date(2022, 6, 13))
    assert next_hrc_session(datetime.date(2022, 7, 1)) == (51, datetime.date(2022, 9, 12))
    assert next_hrc_session(datetime.date(2025, 1, 5)) == (58, datetime.date(2025, 2, 24))


def test_demo_users_cannot_log_in_until_given_a_password():
    _load()
    staff = User.objects.filter(email__endswith="@example.org")
    assert staff.count() == 4
    assert not any(user.has_usable_password() for user in staff)


def test_the_cao_shunli_campaign_records_the_signatures_delivery():
    _load()
    memorial = Campaign.objects.get(slug=CAO_SHUNLI_SLUG)
    delivery = Update.objects.get(ask__campaign=memorial, new_status=AskStatus.IN_PROGRESS)
    assert timezone.localdate(delivery.created_at) == datetime.date(2024, 4, 16)
    assert "1,000 signatures" in delivery.note
    assert {ask.target.name for ask in memorial.asks.all()} == {
        "Administrative Council of the City of Geneva",
        "Municipal Council of the City of Geneva",
    }


def test_ensure_demo_admin_creates_a_superuser_once_and_prints_the_same_login(var_dir, capsys):
    _load()
    first = _ensure_admin(capsys)
    counts = _row_counts()
    second = _ensure_admin(capsys)

    admin = User.objects.get(email=DEMO_ADMIN_EMAIL)
    password_file = var_dir / "demo-admin-password.txt"
    password = password_file.read_text().strip()
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password(password)
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert f"Password: {password}" in first
    assert f"Password: {password}" in second
    assert "admin@example.org" in second
    assert _row_counts() == counts
    for slug in (CHINA_SLUG, CAO_SHUNLI_SLUG):
        assert Membership.objects.get(user=admin, campaign__slug=slug).role == Role.LEAD


def test_ensure_demo_admin_says_when_the_password_was_changed(var_dir, capsys):
    _ensure_admin(capsys)
    admin = User.objects.get(email=DEMO_ADMIN_EMAIL)
    admin.set_password("a password the admin chose")
    admin.save()

    out = _ensure_admin(capsys)

    assert "Password:" not in out
    assert "password was changed" in out
    assert admin.check_password("a password the admin chose")


def test_ensure_demo_admin_says_when_the_password_file_is_gone(var_dir, capsys):
    _ensure_admin(capsys)
    (var_dir / "demo-admin-password.txt").unlink()

    out = _ensure_admin(capsys)

    assert "password was changed" in out
    assert User.objects.filter(email=DEMO_ADMIN_EMAIL).count() == 1


def test_ensure_demo_admin_restores_admin_rights_of_an_existing_account(var_dir, capsys):
    User.objects.create_user(DEMO_ADMIN_EMAIL, "some long password", is_active=False)

    out = _ensure_admin(capsys)

    admin = User.objects.get(email=DEMO_ADMIN_EMAIL)
    assert admin.is_superuser and admin.is_staff and admin.is_active
    assert "superuser again" in out
    assert "password was changed" in out


def test_the_demo_timeline_points_no_viewer_to_what_they_cannot_see():
    """Every demo update is shown to viewers: none may send them to a
    confidential item they will not find."""
    _load()
    notes = list(Update.objects.values_list("note", flat=True))
    assert notes
    assert not [note for note in notes if "see the confidential" in note.lower()]


def test_the_demo_publishes_the_china_campaign_as_it_was_public_in_2022(client):
    call_command("load_ishr_demo", stdout=io.StringIO())
    call_command("load_ishr_demo", stdout=io.StringIO())  # twice: still one publication
    html = client.get(f"/p/{CHINA_SLUG}/").content.decode()
    assert "visit to China: follow-up" in html
    assert html.count('class="list-group-item') == 5  # the five asks of the statement
    assert "Follow-up: international action" not in html and "carries the call for action" not in html
    publish = Ask.objects.get(campaign__slug=CHINA_SLUG, title__startswith="Publish the OHCHR report")
    page = client.get(f"/p/{CHINA_SLUG}/{publish.public_id}/").content.decode()
    assert 'id="public-status">Met<' in page and "met, but late" in page
    for url in (
        f"/p/{CHINA_SLUG}/feed.atom",
        *(f"/p/{CHINA_SLUG}/{ask.public_id}/" for ask in Ask.objects.filter(published=True)),
    ):
        body = client.get(url).content.decode()
        for internal in Evidence.objects.exclude(sensitivity="public").filter(campaign__slug=CHINA_SLUG):
            assert internal.title not in body, (url, internal.title)
        assert "closed meeting" not in body and "fictional" not in body.lower(), url


def test_reloading_over_a_timeline_written_differently_leaves_it_and_does_not_fail():
    """An install upgraded from an earlier demo has its closing updates on other
    days; `make run` reloads the demo every time and must not stop there."""
    from campaign.models import Outcome

    _load()
    Outcome.objects.all().delete()
    Update.objects.exclude(new_status="").filter(new_status__in=["met", "not_met"]).update(created_at=timezone.now())
    _load()
    assert not Outcome.objects.exists()
