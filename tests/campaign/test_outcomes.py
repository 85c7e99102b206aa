"""Outcomes: met, partially met and not met rest on evidence, the target's
response and a rationale; withdrawn on a rationale. The rule is in
``ask_change_status``, so the web, the admin and the import all meet it."""

import datetime
import html
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from campaign import services
from campaign.demo import CHINA_SLUG
from campaign.models import Ask, AskStatus, Evidence, Outcome
from tests.factories import RATIONALE, EvidenceFactory
from tests.two_factor import force_login_verified


@pytest.fixture
def reply(campaign, ask):
    return EvidenceFactory(campaign=campaign, asks=[ask], title="Letter from the Permanent Mission")


def close(ask, author, status=AskStatus.MET, **outcome):
    return services.ask_change_status(ask=ask, new_status=status, author=author, note="Judged.", **outcome)


@pytest.mark.parametrize("status", [AskStatus.MET, AskStatus.PARTIALLY_MET, AskStatus.NOT_MET])
def test_closing_without_evidence_response_and_rationale_is_refused_field_by_field(ask, editor, status):
    with pytest.raises(ValidationError) as refused:
        close(ask, editor, status)
    assert set(refused.value.message_dict) == {"evidence", "response", "rationale"}
    ask.refresh_from_db()
    assert ask.status == AskStatus.OPEN and not ask.updates.exists()


def test_withdrawn_needs_a_rationale_only(ask, editor):
    with pytest.raises(ValidationError) as refused:
        close(ask, editor, AskStatus.WITHDRAWN)
    assert set(refused.value.message_dict) == {"rationale"}
    close(ask, editor, AskStatus.WITHDRAWN, rationale=RATIONALE)
    outcome = Outcome.objects.get()
    assert (outcome.status, outcome.evidence, outcome.response) == (AskStatus.WITHDRAWN, None, "")


def test_a_one_word_rationale_is_refused(ask, editor, reply):
    with pytest.raises(ValidationError) as refused:
        close(ask, editor, evidence=reply, response="supported", rationale="Done.")
    assert "few sentences" in refused.value.message_dict["rationale"][0]


def test_no_reply_only_after_the_deadline(ask, editor, reply):
    with pytest.raises(ValidationError) as refused:
        close(ask, editor, AskStatus.NOT_MET, evidence=reply, response="no_reply", rationale=RATIONALE)
    assert "after its deadline" in refused.value.message_dict["response"][0]
    ask.deadline = timezone.localdate() - datetime.timedelta(days=1)
    ask.save()
    close(ask, editor, AskStatus.NOT_MET, evidence=reply, response="no_reply", rationale=RATIONALE)


def test_evidence_of_another_campaign_is_refused(ask, editor, other_campaign):
    elsewhere = EvidenceFactory(campaign=other_campaign)
    with pytest.raises(ValidationError) as refused:
        close(ask, editor, evidence=elsewhere, response="supported", rationale=RATIONALE)
    assert "own campaign" in refused.value.message_dict["evidence"][0]


def test_the_cited_evidence_is_linked_to_the_ask(ask, editor, campaign):
    unlinked = EvidenceFactory(campaign=campaign, title="Resolution 51/1")
    close(ask, editor, evidence=unlinked, response="supported", rationale=RATIONALE)
    assert ask in unlinked.asks.all()
    assert ask.updates.filter(note__contains="Resolution 51/1").exists()


def test_the_status_form_shows_each_missing_piece_beside_its_field(client, editor, ask):
    client.force_login(editor)
    response = client.post(reverse("ask_status", args=[ask.pk]), {"new_status": "met", "note": "Published."})
    assert response.status_code == 400
    form = response.context["status_form"]
    assert set(form.errors) == {"evidence", "response", "rationale"}


def test_the_ask_page_shows_the_outcome_and_links_its_evidence(client, editor, viewer, ask, reply):
    client.force_login(editor)
    response = client.post(
        reverse("ask_status", args=[ask.pk]),
        {
            "new_status": "met",
            "note": "Published.",
            "evidence": reply.pk,
            "response": "supported",
            "rationale": RATIONALE,
        },
    )
    assert response.status_code == 302
    for user in (editor, viewer):
        client.force_login(user)
        page = html.unescape(client.get(ask.get_absolute_url()).content.decode())
        assert "Outcome: Met" in page and "Supported" in page and RATIONALE in page
        assert "Letter from the Permanent Mission" in page and f'href="#evidence-{reply.pk}"' in page


def test_confidential_evidence_is_not_named_to_those_who_cannot_see_it(client, editor, viewer, ask, campaign):
    secret = EvidenceFactory(campaign=campaign, asks=[ask], title="Source in the ministry", sensitivity="confidential")
    close(ask, editor, evidence=secret, response="noted", rationale=RATIONALE)
    client.force_login(viewer)
    page = client.get(ask.get_absolute_url()).content.decode()
    assert "based on confidential evidence" in page and "Source in the ministry" not in page
    client.force_login(editor)
    assert "Source in the ministry" in client.get(ask.get_absolute_url()).content.decode()


def test_cited_evidence_cannot_be_deleted_or_unlinked_and_the_page_says_why(client, editor, ask, reply):
    close(ask, editor, evidence=reply, response="supported", rationale=RATIONALE)
    with pytest.raises(ValidationError):
        services.evidence_soft_delete(evidence=reply, actor=editor)
    with pytest.raises(ValidationError):
        services.evidence_update(evidence=reply, actor=editor, asks=[])
    client.force_login(editor)
    edit_page = client.get(reverse("evidence_edit", args=[reply.pk])).content.decode()
    assert "It cannot be deleted: the outcome of" in edit_page and "Delete evidence</button>" not in edit_page
    response = client.post(reverse("evidence_delete", args=[reply.pk]), follow=True)
    assert "rests on this evidence" in response.content.decode()
    assert Evidence.objects.filter(pk=reply.pk).exists()


def test_reopening_keeps_the_old_outcome_and_closing_again_needs_a_new_one(client, editor, ask, reply, campaign):
    close(ask, editor, evidence=reply, response="supported", rationale=RATIONALE)
    services.ask_change_status(ask=ask, new_status=AskStatus.IN_PROGRESS, author=editor, note="They backtracked.")
    first = Outcome.objects.get()
    assert first.reopened_at is not None
    services.evidence_soft_delete(evidence=reply, actor=editor)  # no standing outcome rests on it now
    with pytest.raises(ValidationError):
        close(ask, editor, AskStatus.NOT_MET)
    second_reply = EvidenceFactory(campaign=campaign, title="Second letter")
    close(ask, editor, AskStatus.NOT_MET, evidence=second_reply, response="rejected", rationale=RATIONALE + " Again.")
    assert Outcome.objects.filter(ask=ask).count() == 2
    assert Outcome.objects.get(reopened_at__isnull=True).evidence == second_reply
    client.force_login(editor)
    page = client.get(ask.get_absolute_url()).content.decode()
    assert "Outcome later reopened" in page and "Outcome: Not met" in page


def test_the_campaign_page_counts_asks_met_with_the_targets_support(client, editor, ask, reply, campaign):
    close(ask, editor, evidence=reply, response="supported", rationale=RATIONALE)
    client.force_login(editor)
    page = html.unescape(client.get(campaign.get_absolute_url()).content.decode())
    assert "1 met, 1 of them with the target's support" in page


def test_the_admin_refuses_closing_without_an_outcome_field_by_field(client, superuser, ask):
    force_login_verified(client, superuser)
    url = reverse("admin:campaign_ask_change", args=[ask.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data.update(
        campaign=ask.campaign_id,
        target=ask.target_id,
        owner=ask.owner_id,
        status="met",
        status_note="Published.",
        loaded_version=ask.version,
        **{
            f"{prefix}-{name}": 0
            for prefix in ("updates", "Evidence_asks")
            for name in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    )
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"outcome_evidence", "outcome_response", "outcome_rationale"} <= set(errors)
    ask.refresh_from_db()
    assert ask.status == AskStatus.OPEN


def test_a_new_ask_cannot_start_closed(editor, campaign, target):
    with pytest.raises(ValidationError) as refused:
        services.ask_create(author=editor, campaign=campaign, target=target, title="t", wording="w", status="met")
    assert "status" in refused.value.message_dict


def test_the_admin_import_cannot_close_an_ask(client, superuser, ask, target):
    from tests.campaign.test_admin_import_export import _errors, _preview

    force_login_verified(client, superuser)
    csv_text = f"id,campaign,target,title,wording,status,priority\n{ask.pk},china,{target.name},T,W,met,high\n"
    assert "not by import" in str(_errors(_preview(client, csv_text)))
    ask.refresh_from_db()
    assert ask.status == AskStatus.OPEN


def test_the_demos_closed_asks_rest_on_the_public_record(db):
    call_command("load_ishr_demo", stdout=io.StringIO())
    publish = Ask.objects.get(campaign__slug=CHINA_SLUG, title__startswith="Publish the OHCHR report")
    briefing = Ask.objects.get(campaign__slug=CHINA_SLUG, title__startswith="Present the findings")
    published = publish.outcomes.get(reopened_at__isnull=True)
    assert (published.status, published.response) == (AskStatus.MET, "supported")
    assert published.evidence.published_on == datetime.date(2022, 8, 31)
    assert "late" in published.rationale
    voted = briefing.outcomes.get(reopened_at__isnull=True)
    assert voted.status == AskStatus.NOT_MET
    assert voted.evidence.title == "Human Rights Council vote on a debate about the OHCHR assessment"
    assert voted.update.created_at.date() == datetime.date(2022, 10, 6)
    call_command("load_ishr_demo", stdout=io.StringIO())  # again: nothing doubles
    assert Outcome.objects.filter(ask__campaign__slug=CHINA_SLUG).count() == 2


def test_closing_from_the_list_cell_points_to_the_status_page(client, editor, ask):
    client.force_login(editor)
    headers = {"HX-Request": "true", "HX-Target": f"status-cell-{ask.pk}"}
    response = client.post(
        reverse("ask_status", args=[ask.pk]), {"new_status": "met", "note": "Published."}, headers=headers
    )
    html_text = response.content.decode()
    assert "Record the outcome on the status page" in html_text and "<html" not in html_text
    ask.refresh_from_db()
    assert ask.status == AskStatus.OPEN
