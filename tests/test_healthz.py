"""/healthz: plain-text liveness for monitoring, with no login and no data."""

from unittest import mock

import pytest
from django.db import OperationalError, connections


@pytest.mark.django_db
def test_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content.decode().strip() == "ok"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_sets_no_cookie_and_needs_no_login(client):
    response = client.get("/healthz")

    assert "Set-Cookie" not in response
    assert not response.cookies


@pytest.mark.django_db
def test_works_for_a_signed_in_user_too(client, viewer):
    client.force_login(viewer)

    assert client.get("/healthz").content.decode().strip() == "ok"


@pytest.mark.django_db
def test_503_when_the_database_does_not_answer(client):
    # A real outage cannot be staged inside the test's transaction, so the one
    # cursor the health check asks for fails as a dead server's would.
    database = connections["default"]

    def unavailable():
        raise OperationalError("connection refused")

    with mock.patch.object(database, "cursor", side_effect=unavailable):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content.decode().strip() == "database unavailable"
    assert "connection refused" not in response.content.decode()
