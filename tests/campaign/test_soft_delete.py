"""Soft delete in Django admin: a deleted ask or evidence item disappears from
the app, an admin can restore it, and only an explicit purge removes it."""

import pytest
from django.test import Client
from django.urls import reverse

from campaign.models import Ask, Evidence
from campaign.services import ask_change_status
from tests.factories import EvidenceFactory
from tests.two_factor import force_login_verified


@pytest.fixture
def admin_client(client, superuser):
    force_login_verified(client, superuser)
    return client


def run_action(client, model: str, action: str, objects, **extra):
    url = reverse(f"admin:campaign_{model}_changelist")
    data = {"action": action, "_selected_action": [obj.pk for obj in objects], **extra}
    return client.post(url, data, follow=True)


def test_soft_deleted_ask_is_hidden_then_restored_with_its_timeline(admin_client, ask, editor):
    ask_change_status(ask=ask, new_status="in_progress", author=editor, note="Letter sent.")
    run_action(admin_client, "ask", "soft_delete", [ask])
    assert not Ask.objects.filter(pk=ask.pk).exists()
    assert Ask.all_objects.get(pk=ask.pk).deleted_at is not None

    changelist = admin_client.get(reverse("admin:campaign_ask_changelist") + "?deleted=yes")
    assert ask.title in changelist.content.decode()

    response = run_action(admin_client, "ask", "restore", [Ask.all_objects.get(pk=ask.pk)])
    assert "Restored 1 ask." in response.content.decode()
    restored = Ask.objects.get(pk=ask.pk)
    assert restored.deleted_at is None
    assert restored.updates.count() == 1


def test_purge_removes_a_deleted_ask_for_good(admin_client, ask):
    run_action(admin_client, "ask", "soft_delete", [ask])
    run_action(admin_client, "ask", "delete_selected", [Ask.all_objects.get(pk=ask.pk)], post="yes")
    assert not Ask.all_objects.filter(pk=ask.pk).exists()
    # The audit history keeps the deletion.
    assert Ask.history.filter(id=ask.pk, history_type="-").exists()


def test_soft_deleted_evidence_is_hidden_from_the_ask_and_restorable(admin_client, ask, campaign):
    evidence = EvidenceFactory(campaign=campaign, asks=[ask])
    run_action(admin_client, "evidence", "soft_delete", [evidence])
    assert not ask.evidence.exists()
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    run_action(admin_client, "evidence", "restore", [Evidence.all_objects.get(pk=evidence.pk)])
    assert list(ask.evidence.all()) == [evidence]


def test_soft_deleted_ask_is_not_found_in_the_web_app(admin_client, editor, ask):
    run_action(admin_client, "ask", "soft_delete", [ask])
    staff_member = Client()
    staff_member.force_login(editor)
    assert staff_member.get(reverse("ask_detail", args=[ask.pk])).status_code == 404
