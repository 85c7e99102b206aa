"""Personas shared by every test: one campaign with a lead, an editor and a
viewer; an outsider who belongs to another campaign; a superuser."""

import os
import shutil

import pytest

from campaign.models import Role
from tests.factories import AskFactory, CampaignFactory, MembershipFactory, TargetFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's many rounds make each test user cost ~0.3 s; tests need no strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _the_settings_every_test_starts_from(settings):
    """The same results whatever the shell exports: a developer who keeps a
    production-like REQUIRE_2FA or SITE_URL set got nine failures in the
    account tests. Tests about them set their own."""
    settings.REQUIRE_2FA = False
    settings.SITE_URL = "http://localhost:8000"


@pytest.fixture
def campaign(db):
    return CampaignFactory(title="China accountability", slug="china")


@pytest.fixture
def other_campaign(db):
    return CampaignFactory(title="Other campaign", slug="other")


@pytest.fixture
def lead(campaign):
    return MembershipFactory(campaign=campaign, role=Role.LEAD, user__email="lead@example.org").user


@pytest.fixture
def editor(campaign):
    return MembershipFactory(campaign=campaign, role=Role.EDITOR, user__email="editor@example.org").user


@pytest.fixture
def viewer(campaign):
    return MembershipFactory(campaign=campaign, role=Role.VIEWER, user__email="viewer@example.org").user


@pytest.fixture
def outsider(other_campaign):
    """Signed in, a lead elsewhere, but not a member of ``campaign``."""
    return MembershipFactory(campaign=other_campaign, role=Role.LEAD, user__email="outsider@example.org").user


@pytest.fixture
def superuser(db):
    return UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def target(db):
    return TargetFactory(name="UN High Commissioner for Human Rights")


@pytest.fixture
def ask(campaign, target, editor):
    return AskFactory(campaign=campaign, target=target, owner=editor, title="Publish the Xinjiang report")


# --- Browser tests (Playwright driving Debian's chromium) -------------------------

# Without the background-networking flags Chromium keeps calling hosts this
# network refuses (see shared/ENVIRONMENT-NOTES.md); as root it needs --no-sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Playwright's sync API runs an event loop in the test thread; the tests' own ORM
# calls are still plain synchronous ones, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium package is needed: `make chromium` installs it"
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_ARGS}


def plain_static_storage(settings):
    """live_server serves static files itself; the manifest storage would need collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
