import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from accounts.models import User

PASSWORD = "correct horse battery staple"


def _authenticate(username, password=PASSWORD):
    # django-axes' backend needs a request to count failures against.
    return authenticate(request=RequestFactory().post("/accounts/login/"), username=username, password=password)


@pytest.mark.parametrize("typed", ["lead@example.org", "LEAD@Example.org", "Lead@EXAMPLE.ORG"])
def test_login_by_email_ignores_case(lead, typed):
    assert _authenticate(typed) == lead


def test_wrong_password_does_not_log_in(lead):
    assert _authenticate("LEAD@Example.org", "not the password") is None


def test_new_accounts_store_the_email_in_lower_case(db):
    user = User.objects.create_user("Ana.Perez@Example.ORG", PASSWORD)
    assert user.email == "ana.perez@example.org"


def test_second_account_with_the_same_email_in_other_case_is_refused_by_full_clean(lead):
    clash = User(email="LEAD@example.org", full_name="Impostor")
    clash.set_password(PASSWORD)

    with pytest.raises(ValidationError) as error:
        clash.full_clean()

    assert "Another account already uses this email address." in error.value.message_dict["email"]


def test_second_account_with_the_same_email_in_other_case_is_refused_by_the_database(lead):
    with pytest.raises(IntegrityError), transaction.atomic():
        # Bypasses create_user's lower-casing: the constraint on lower(email) is the last line.
        User.objects.create(email="Lead@Example.org", password="!")
    assert User.objects.filter(email__iexact="lead@example.org").count() == 1
