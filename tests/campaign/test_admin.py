"""Django admin on the demo data: every page opens, a status change writes its
timeline entry, the CSV export is safe to open in a spreadsheet, and an import
shows its errors per row and saves nothing while any row is invalid."""

import csv
import datetime
import io
import re

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import RecoveryCode
from campaign.demo import CHINA_SLUG
from campaign.mail.emails import RenderedEmail, email_build
from campaign.models import (
    Ask,
    AskStatus,
    Campaign,
    Digest,
    Evidence,
    NameGuardOverride,
    NamesExport,
    Person,
    ProgressSummary,
    Reminder,
    Update,
)
from tests.factories import AskFactory, UserFactory, outcome_for
from tests.two_factor import force_login_verified

# Apps whose models the project does not create rows for; their change forms are
# checked only when a row happens to exist.
THIRD_PARTY_APPS = {"auth", "axes", "django_celery_beat", "otp_totp"}


@pytest.fixture
def demo(db):
    call_command("load_ishr_demo", stdout=io.StringIO())
    return Campaign.objects.get(slug=CHINA_SLUG)


@pytest.fixture
def job_records(demo, superuser):
    """One row of each record the jobs keep, so their admin pages show a row too."""
    ask = Ask.objects.filter(campaign=demo).first()
    now = timezone.now()
    email = email_build(
        "reminder",
        user=superuser,
        dedupe_key="demo-reminder",
        rendered=RenderedEmail(subject="Due soon", text=".", html=""),
    )
    email.save()
    Reminder.objects.create(ask=ask, recipient=superuser, kind="due_soon", deadline=ask.deadline or now.date())
    Digest.objects.create(
        user=superuser,
        frequency="weekly",
        period_start=now - datetime.timedelta(days=7),
        period_end=now,
        subject="Your week",
        body_text=".",
        body_html="<p>.</p>",
    )
    ProgressSummary.objects.create(
        campaign=demo, period_start=now - datetime.timedelta(days=7), period_end=now, figures={"met": 1}
    )
    RecoveryCode.objects.create(user=superuser, code_hash="not-a-real-hash")
    person = Person.objects.filter(campaign=demo).first()
    NameGuardOverride.objects.create(campaign=demo, person=person, user=superuser, field="note")
    NamesExport.objects.create(campaign=demo, user=superuser, reason="For the Special Rapporteur's urgent appeal.")
    return email


@pytest.fixture
def admin_client(client, superuser):
    """A superuser who has passed the second factor, as the admin requires."""
    force_login_verified(client, superuser)
    return client


def _admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_admin_changelist_add_and_change_form_opens(admin_client, demo, job_records):
    without_rows = set()
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        response = admin_client.get(_admin_url(model, "changelist"))
        assert response.status_code == 200, f"{label} changelist"

        if model_admin.has_add_permission(response.wsgi_request):
            response = admin_client.get(_admin_url(model, "add"))
            assert response.status_code == 200, f"{label} add form"

        obj = model_admin.get_queryset(response.wsgi_request).first()
        if obj is None:
            without_rows.add(model._meta.app_label)
            continue
        response = admin_client.get(_admin_url(model, "change", obj.pk))
        assert response.status_code == 200, f"{label} change form"
        try:
            history_url = _admin_url(model, "history", obj.pk)
        except NoReverseMatch:
            continue
        assert admin_client.get(history_url).status_code == 200, f"{label} history"

    assert without_rows <= THIRD_PARTY_APPS


@pytest.mark.parametrize("query", ["overdue=yes", "overdue=no", "deleted=yes", "status=in_progress", "q=CHN+13/2018"])
def test_ask_changelist_filters_and_search_open(admin_client, demo, query):
    response = admin_client.get(_admin_url(Ask, "changelist") + "?" + query)
    assert response.status_code == 200


def test_every_admin_changelist_pages_by_fifty_without_counting_the_whole_table(admin_client):
    from accounts.models import User
    from tests.factories import UserFactory

    assert {(ma.list_per_page, ma.show_full_result_count) for ma in admin.site._registry.values()} == {(50, False)}
    with_history = [ma for ma in admin.site._registry.values() if hasattr(ma, "history_list_per_page")]
    assert len(with_history) >= 4 and {ma.history_list_per_page for ma in with_history} == {50}
    UserFactory.create_batch(60)  # with the superuser, 61 users: Django's own user list would show them all
    response = admin_client.get(_admin_url(User, "changelist"), {"q": "example"})
    assert len(response.context["cl"].result_list) == 50
    assert response.context["cl"].paginator.num_pages == 2


def test_ask_changelist_rows_carry_djangos_action_checkbox_with_the_title_escaped(admin_client, campaign):
    ask = AskFactory(campaign=campaign, title='Publish "the <report>" & more')

    html = admin_client.get(_admin_url(Ask, "changelist")).content.decode()

    expected = admin.ModelAdmin.action_checkbox(admin.site._registry[Ask], ask)
    assert expected in html
    assert 'aria-label="Select this object for an action - Publish &quot;the &lt;report&gt;&quot; &amp; more"' in html


def test_ask_changelist_lists_no_users_or_targets_as_filter_choices(admin_client, campaign, editor):
    """With hundreds of users and targets, a filter with one choice each made the
    page long and slow; the owner filter has fixed choices, the search finds the rest."""
    from tests.factories import TargetFactory, UserFactory

    people = UserFactory.create_batch(30)
    for number in range(30):
        AskFactory(campaign=campaign, target=TargetFactory(name=f"Target number {number}"), owner=editor)

    html = admin_client.get(_admin_url(Ask, "changelist")).content.decode()

    assert "<option" not in html[html.index('id="changelist-filter"') :]
    assert "Target number" not in html and people[0].email not in html
    assert "?owner=me" in html and "?owner=none" in html


def test_owner_filter_finds_my_asks_and_unowned_ones(admin_client, superuser, campaign, editor):
    AskFactory(campaign=campaign, title="Mine", owner=superuser)
    AskFactory(campaign=campaign, title="Editor's", owner=editor)
    AskFactory(campaign=campaign, title="Nobody's", owner=None)

    def titles(**params):
        response = admin_client.get(_admin_url(Ask, "changelist"), params)
        return {ask.title for ask in response.context["cl"].result_list}

    assert titles(owner="me") == {"Mine"}
    assert titles(owner="none") == {"Nobody's"}
    assert titles(q=editor.email) == {"Editor's"}


def test_ask_changelist_shows_a_change_made_behind_the_admins_back_at_once(admin_client, campaign):
    """Built on each request: a bulk update or a data migration, which send no
    signal, show on the next view."""
    ask = AskFactory(campaign=campaign, title="Before")
    assert "Before" in admin_client.get(_admin_url(Ask, "changelist")).content.decode()

    Ask.objects.filter(pk=ask.pk).update(title="After the data migration")

    assert "After the data migration" in admin_client.get(_admin_url(Ask, "changelist")).content.decode()


def test_ask_changelist_is_fifty_rows_of_few_columns_in_a_fixed_number_of_queries(
    admin_client, campaign, other_campaign
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = _admin_url(Ask, "changelist")
    AskFactory.create_batch(3, campaign=campaign)
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for owner in UserFactory.create_batch(30):
        AskFactory(campaign=campaign, owner=owner)
    AskFactory.create_batch(30, campaign=other_campaign)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)

    assert len(many) == len(few)  # no query per row
    assert len(response.context["cl"].result_list) == 50
    # Columns that fit 1280 px (the checkbox, then six short ones); no target or owner.
    columns = response.context["cl"].list_display
    assert columns[0] == "action_checkbox" and len(columns) <= 7
    assert "target" not in columns and "owner" not in columns


def test_no_changelist_reads_every_row_for_a_date_hierarchy_and_dates_are_filters_instead(admin_client):
    from axes.models import AccessLog

    assert [label for label, ma in _admin_labels() if ma.date_hierarchy] == []
    for model, field in [(Update, "created_at"), (Evidence, "published_on"), (AccessLog, "attempt_time")]:
        response = admin_client.get(_admin_url(model, "changelist"))
        assert response.status_code == 200, model
        assert any(getattr(spec, "field_path", None) == field for spec in response.context["cl"].filter_specs), model


def _admin_labels():
    return [(model._meta.label, model_admin) for model, model_admin in admin.site._registry.items()]


def test_due_filter_lists_open_asks_by_how_soon_they_are_due(admin_client, campaign):
    today = timezone.localdate()
    for days in (3, 20, 60):
        AskFactory(campaign=campaign, title=f"In {days} days", deadline=today + datetime.timedelta(days=days))
    AskFactory(campaign=campaign, title="Overdue", deadline=today - datetime.timedelta(days=2))
    AskFactory(campaign=campaign, title="Met soon", deadline=today + datetime.timedelta(days=3), status="met")
    AskFactory(campaign=campaign, title="Undated", deadline=None)

    def titles(due):
        response = admin_client.get(_admin_url(Ask, "changelist"), {"due": due})
        return {ask.title for ask in response.context["cl"].result_list}

    assert titles("7") == {"In 3 days"}
    assert titles("30") == {"In 3 days", "In 20 days"}
    assert titles("none") == {"Undated"}
    assert len(titles("")) == 6


def test_ask_search_finds_asks_by_evidence_reference(admin_client, demo):
    response = admin_client.get(_admin_url(Ask, "changelist"), {"q": "CERD/C/CHN/CO/14-17"})
    titles = {ask.title for ask in response.context["cl"].result_list}
    assert "Establish an independent UN mechanism to monitor human rights in China" in titles
    assert "Grant prompt, unfettered access to Hong Kong and the Tibetan region" not in titles


# --- Status change through the change form -------------------------------------


def _form_values(response) -> dict:
    """What the browser would post back unchanged: the main form and every inline."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            elif isinstance(value, datetime.date):
                data[key] = value.isoformat()
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


@pytest.fixture
def open_ask(demo):
    return Ask.objects.get(campaign=demo, title__startswith="Grant prompt")


def test_status_change_in_the_admin_writes_one_update_with_the_note_and_the_admin(admin_client, superuser, open_ask):
    url = _admin_url(Ask, "change", open_ask.pk)
    data = _form_values(admin_client.get(url))
    updates_before = open_ask.updates.count()
    data.update(status=AskStatus.IN_PROGRESS, status_note="Raised with the Chinese mission in Geneva.")

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    open_ask.refresh_from_db()
    assert open_ask.status == AskStatus.IN_PROGRESS
    assert open_ask.updates.count() == updates_before + 1
    update = open_ask.updates.latest("created_at")
    assert (update.old_status, update.new_status) == (AskStatus.OPEN, AskStatus.IN_PROGRESS)
    assert update.note == "Raised with the Chinese mission in Geneva."
    assert update.author == superuser
    assert open_ask.last_activity_at == update.created_at


def test_status_change_in_the_admin_without_a_note_is_refused(admin_client, open_ask):
    url = _admin_url(Ask, "change", open_ask.pk)
    data = _form_values(admin_client.get(url))
    updates_before = open_ask.updates.count()
    data.update(status=AskStatus.MET, status_note="")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Say why the status changed" in response.content.decode()
    open_ask.refresh_from_db()
    assert open_ask.status == AskStatus.OPEN
    assert open_ask.updates.count() == updates_before


def test_editing_other_fields_in_the_admin_writes_no_status_update(admin_client, open_ask):
    url = _admin_url(Ask, "change", open_ask.pk)
    data = _form_values(admin_client.get(url))
    updates_before = open_ask.updates.count()
    data.update(priority=Ask.Priority.HIGH)

    assert admin_client.post(url, data).status_code == 302
    open_ask.refresh_from_db()
    assert open_ask.priority == Ask.Priority.HIGH
    assert open_ask.updates.count() == updates_before


def test_moving_an_ask_to_another_campaign_in_the_admin_moves_its_timeline(admin_client, open_ask):
    from tests.factories import CampaignFactory

    elsewhere = CampaignFactory(title="Elsewhere", slug="elsewhere")
    assert open_ask.updates.exists()
    open_ask.evidence.clear()  # the evidence could not follow it
    url = _admin_url(Ask, "change", open_ask.pk)
    data = _form_values(admin_client.get(url))
    data.update(campaign=str(elsewhere.pk), owner="")

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(open_ask.updates.values_list("campaign_id", flat=True)) == {elsewhere.pk}


def test_admin_refuses_to_move_an_ask_its_campaigns_evidence_supports(admin_client, open_ask):
    from tests.factories import CampaignFactory

    elsewhere = CampaignFactory(title="Elsewhere", slug="elsewhere")
    linked = open_ask.evidence.count()
    assert linked
    url = _admin_url(Ask, "change", open_ask.pk)
    data = _form_values(admin_client.get(url))
    data.update(campaign=str(elsewhere.pk), owner="")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["campaign"]
    assert errors[0].startswith(f"{linked} piece")
    open_ask.refresh_from_db()
    assert open_ask.campaign_id != elsewhere.pk and open_ask.evidence.count() == linked


def test_timeline_changelist_filters_by_campaign_after_an_ask_moved(admin_client, open_ask):
    from tests.factories import CampaignFactory

    elsewhere = CampaignFactory(title="Elsewhere", slug="elsewhere")
    open_ask.evidence.clear()
    url = _admin_url(Ask, "change", open_ask.pk)
    data = _form_values(admin_client.get(url))
    data.update(campaign=str(elsewhere.pk), owner="")
    assert admin_client.post(url, data).status_code == 302

    changelist = _admin_url(Update, "changelist")
    moved = admin_client.get(changelist, {"campaign__id__exact": elsewhere.pk})
    left = admin_client.get(changelist, {"campaign__id__exact": open_ask.campaign_id})

    entries = set(open_ask.updates.values_list("pk", flat=True))
    assert {row.pk for row in moved.context["cl"].result_list} == entries
    assert not entries & {row.pk for row in left.context["cl"].result_list}
    assert "Elsewhere" in moved.content.decode()  # the filter offers the campaign by name


def _inline_prefix(response, model) -> str:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise AssertionError(f"no inline for {model}")


def test_note_added_in_the_admin_timeline_inline_is_authored_and_bumps_last_activity(admin_client, superuser, open_ask):
    url = _admin_url(Ask, "change", open_ask.pk)
    page = admin_client.get(url)
    data = _form_values(page)
    prefix = _inline_prefix(page, Update)
    position = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(position + 1)
    data[f"{prefix}-{position}-note"] = "Letter sent to the Permanent Mission."
    before = open_ask.last_activity_at

    assert admin_client.post(url, data).status_code == 302

    note = open_ask.updates.get(note="Letter sent to the Permanent Mission.")
    assert note.author == superuser
    assert (note.old_status, note.new_status) == ("", "")
    open_ask.refresh_from_db()
    assert open_ask.last_activity_at == note.created_at > before


def test_unlinking_evidence_in_the_admin_inline_removes_the_link(admin_client, open_ask):
    url = _admin_url(Ask, "change", open_ask.pk)
    page = admin_client.get(url)
    data = _form_values(page)
    prefix = _inline_prefix(page, Ask.evidence.through)
    linked = list(open_ask.evidence.all())
    assert linked
    data[f"{prefix}-0-DELETE"] = "on"

    assert admin_client.post(url, data).status_code == 302

    assert open_ask.evidence.count() == len(linked) - 1


def test_ask_change_page_lists_the_latest_fifty_timeline_entries_and_says_how_many_there_are(
    admin_client, superuser, campaign
):
    from tests.factories import EvidenceFactory, UpdateFactory

    ask = AskFactory(campaign=campaign)
    start = timezone.now() - datetime.timedelta(days=100)
    for day in range(60):
        update = UpdateFactory(ask=ask, note=f"Entry of day {day:02}")
        Update.objects.filter(pk=update.pk).update(created_at=start + datetime.timedelta(days=day))
    for number in range(55):
        EvidenceFactory(campaign=campaign, asks=[ask], title=f"Evidence {number:02}")
    url = _admin_url(Ask, "change", ask.pk)

    page = admin_client.get(url)

    html = page.content.decode()
    updates = next(inline.formset for inline in page.context["inline_admin_formsets"] if inline.formset.model is Update)
    assert [form.instance.note for form in updates.initial_forms] == [
        f"Entry of day {day:02}" for day in range(59, 9, -1)
    ]
    assert _inline_headings(html) == ["Updates (the latest 50 of 60)", "Evidence (the latest 50 of 55)", "Signatures"]
    assert "Entry of day 59" in html and "Entry of day 09" not in html

    # Saving the page untouched, with a note added, keeps every entry and adds the note.
    data = _form_values(page)
    prefix = _inline_prefix(page, Update)
    data[f"{prefix}-TOTAL_FORMS"] = "51"
    data[f"{prefix}-50-note"] = "Met the mission again."
    assert admin_client.post(url, data).status_code == 302
    assert ask.updates.count() == 61
    assert ask.evidence.count() == 55
    assert ask.updates.first().note == "Met the mission again."


def test_ask_change_page_of_a_short_timeline_has_the_plain_heading(admin_client, open_ask):
    html = admin_client.get(_admin_url(Ask, "change", open_ask.pk)).content.decode()
    assert _inline_headings(html) == ["Updates", "Evidence", "Signatures"]


def _inline_headings(html: str) -> list[str]:
    return re.findall(r'class="inline-heading">\s*(.*?)\s*</h2>', html)


# --- CSV export action ------------------------------------------------------------


def test_admin_csv_export_gives_the_selected_asks_with_formulas_neutralised(admin_client, demo):
    target = Ask.objects.filter(campaign=demo).first().target
    risky = AskFactory(campaign=demo, target=target, title='=HYPERLINK("https://evil.example","x")')
    minus = AskFactory(campaign=demo, target=target, title="-2+3", deadline_reason="@SUM(A1)")
    unselected = Ask.objects.get(campaign=demo, title__startswith="Grant prompt")

    response = admin_client.post(
        _admin_url(Ask, "changelist"), {"action": "export_csv", "_selected_action": [risky.pk, minus.pk]}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_id = {int(row["id"]): row for row in rows}
    assert set(by_id) == {risky.pk, minus.pk}
    assert unselected.pk not in by_id
    assert by_id[risky.pk]["title"] == '\'=HYPERLINK("https://evil.example","x")'
    assert by_id[minus.pk]["title"] == "'-2+3"
    assert by_id[minus.pk]["deadline_reason"] == "'@SUM(A1)"
    # Numbers stay numbers: days left may be negative without a quote.
    assert by_id[risky.pk]["days_left"] == str(risky.days_left())


# --- Import through the admin ----------------------------------------------------------

IMPORT_HEADER = "id,campaign,target,title,wording,status,priority,deadline\n"


def _import_preview(admin_client, csv_text: str):
    formats = [fmt().get_title() for fmt in admin.site._registry[Ask].get_import_formats()]
    upload = SimpleUploadedFile("asks.csv", csv_text.encode(), content_type="text/csv")
    return admin_client.post(
        _admin_url(Ask, "import"),
        {"resource": "0", "format": str(formats.index("csv")), "import_file": upload},
    )


def test_import_preview_shows_the_invalid_row_and_saves_nothing(admin_client, demo):
    target = "UN Human Rights Council"
    csv_text = IMPORT_HEADER + (
        f",{CHINA_SLUG},{target},Release the detained lawyers,Release them.,open,high,2030-01-31\n"
        f",{CHINA_SLUG},{target},Stop the trials,Stop them.,done,high,2030-01-31\n"
        f",{CHINA_SLUG},{target},Admit observers,Admit them.,open,low,\n"
    )
    asks_before = Ask.all_objects.count()

    response = _import_preview(admin_client, csv_text)

    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [3]  # line 1 is the header
    valid = "Draft, Open, In progress, Partially met, Met, Not met, Withdrawn"
    assert result.invalid_rows[0].error_dict == {"status": [f'"done" is not one of: {valid} (column status)']}
    assert "confirm_form" not in response.context
    page = response.content.decode()
    assert "Some rows failed to validate" in page
    assert "&quot;done&quot; is not one of: Draft, Open, In progress" in page
    assert Ask.all_objects.count() == asks_before
    assert not Ask.all_objects.filter(title="Release the detained lawyers").exists()


def test_import_refuses_to_move_an_ask_its_campaigns_evidence_supports(admin_client, demo, open_ask):
    from campaign.demo import CAO_SHUNLI_SLUG

    assert open_ask.evidence.exists()
    row = [open_ask.pk, CAO_SHUNLI_SLUG, open_ask.target.name, open_ask.title, "Moved.", open_ask.status, "high", ""]
    csv_text = IMPORT_HEADER + ",".join(f'"{value}"' for value in row) + "\n"

    response = _import_preview(admin_client, csv_text)

    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [2]
    assert "this ask in its current campaign" in result.invalid_rows[0].error_dict["campaign"][0]
    open_ask.refresh_from_db()
    assert open_ask.campaign.slug == CHINA_SLUG


def test_an_import_that_moves_an_ask_to_another_campaign_moves_its_timeline(admin_client, demo, open_ask):
    from campaign.demo import CAO_SHUNLI_SLUG

    open_ask.evidence.clear()  # the evidence could not follow it
    entries = set(open_ask.updates.values_list("pk", flat=True))
    assert entries
    row = [open_ask.pk, CAO_SHUNLI_SLUG, open_ask.target.name, open_ask.title, open_ask.wording, open_ask.status]
    csv_text = IMPORT_HEADER + ",".join(f'"{value}"' for value in row) + ',"high",\n'

    preview = _import_preview(admin_client, csv_text)
    response = admin_client.post(_admin_url(Ask, "process_import"), preview.context["confirm_form"].initial)

    assert response.status_code == 302
    open_ask.refresh_from_db()
    assert open_ask.campaign.slug == CAO_SHUNLI_SLUG
    assert set(Update.objects.filter(campaign=open_ask.campaign).values_list("pk", flat=True)) >= entries
    assert not Update.objects.filter(pk__in=entries).exclude(campaign=open_ask.campaign).exists()


def test_import_preview_of_valid_rows_saves_nothing_until_confirmed(admin_client, demo):
    csv_text = IMPORT_HEADER + f",{CHINA_SLUG},UN Human Rights Council,Admit observers,Admit them.,open,low,\n"
    asks_before = Ask.all_objects.count()

    preview = _import_preview(admin_client, csv_text)

    assert preview.status_code == 200
    assert "confirm_form" in preview.context
    assert Ask.all_objects.count() == asks_before

    confirm = preview.context["confirm_form"]
    response = admin_client.post(_admin_url(Ask, "process_import"), confirm.initial)
    assert response.status_code == 302
    imported = Ask.objects.get(title="Admit observers")
    assert imported.campaign == demo
    assert imported.status == AskStatus.OPEN
    assert Update.objects.filter(ask=imported).count() == 0


# --- Saves go through the services ----------------------------------------------------


def test_admin_save_of_a_form_loaded_before_someone_elses_save_is_refused(admin_client, superuser, open_ask):
    from campaign.services import ask_update

    url = _admin_url(Ask, "change", open_ask.pk)
    data = _form_values(admin_client.get(url))
    ask_update(ask=open_ask, author=superuser, expected_version=open_ask.version, deadline_reason="Set on the page.")
    data.update(priority=Ask.Priority.LOW)

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Someone else saved this ask while you were editing it" in response.content.decode()
    open_ask.refresh_from_db()
    assert open_ask.deadline_reason == "Set on the page." and open_ask.priority != Ask.Priority.LOW


def test_admin_edit_counts_as_activity_and_is_recorded_as_the_admins(admin_client, superuser, open_ask):
    url = _admin_url(Ask, "change", open_ask.pk)
    data = _form_values(admin_client.get(url))
    before = (open_ask.version, open_ask.last_activity_at)
    outcome = outcome_for(open_ask)
    data.update(
        deadline_reason="The session ends then.",
        status=AskStatus.MET,
        status_note="Granted in full.",
        outcome_evidence=outcome["evidence"].pk,
        outcome_response=outcome["response"],
        outcome_rationale=outcome["rationale"],
    )

    assert admin_client.post(url, data).status_code == 302

    open_ask.refresh_from_db()
    assert open_ask.deadline_reason == "The session ends then." and open_ask.status == AskStatus.MET
    assert open_ask.version == before[0] + 2  # the edit, then the status change
    assert open_ask.last_activity_at > before[1]
    assert open_ask.history.latest().history_user == superuser


def test_ask_added_in_the_admin_is_saved_by_ask_create(admin_client, superuser, campaign, target, monkeypatch):
    from campaign import admin as campaign_admin
    from campaign import services

    calls = []
    monkeypatch.setattr(campaign_admin, "ask_create", lambda **kw: calls.append(kw) or services.ask_create(**kw))
    data = {
        "campaign": campaign.pk,
        "target": target.pk,
        "title": "Publish the report",
        "wording": "Publish it.",
        "status": AskStatus.OPEN,
        "priority": Ask.Priority.HIGH,
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
        "campaign-ask_evidence-TOTAL_FORMS": "0",
        "campaign-ask_evidence-INITIAL_FORMS": "0",
    }
    page = admin_client.get(_admin_url(Ask, "add"))
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    response = admin_client.post(_admin_url(Ask, "add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    ask = Ask.objects.get(title="Publish the report")
    assert [call["author"] for call in calls] == [superuser]
    assert ask.history.get().history_user == superuser
    assert response["Location"] == _admin_url(Ask, "changelist")


def test_add_ask_page_shows_no_placeholder_timestamps(admin_client):
    page = admin_client.get(_admin_url(Ask, "add"))

    fields = {name for fieldset in page.context["adminform"] for line in fieldset for name in line.fields}
    assert not fields & {"created_at", "updated_at", "last_activity_at", "deleted_at", "status_note"}
    assert "Last activity" not in page.content.decode()


def test_bulk_soft_delete_and_restore_say_who_did_it_in_the_history(admin_client, superuser, campaign):
    asks = AskFactory.create_batch(2, campaign=campaign)
    changelist = _admin_url(Ask, "changelist")
    selected = [ask.pk for ask in asks]

    admin_client.post(changelist, {"action": "soft_delete", "_selected_action": selected})
    deleted = [Ask.all_objects.get(pk=pk) for pk in selected]
    assert all(ask.deleted_at for ask in deleted)
    assert {ask.history.latest().history_user for ask in deleted} == {superuser}

    admin_client.post(changelist, {"action": "restore", "_selected_action": selected})
    assert Ask.objects.filter(pk__in=selected).count() == 2
    assert {Ask.objects.get(pk=pk).history.latest().history_user for pk in selected} == {superuser}
