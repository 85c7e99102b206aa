"""Production settings, checked the way an operator starts the app: in a fresh
process with DEBUG off and the environment they would set."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import UserFactory

BASE_DIR = Path(__file__).resolve().parent.parent


def manage(*args, env: dict, tmp_path) -> subprocess.CompletedProcess:
    # As an operator's shell would be: none of the test run's own switches (the
    # browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process), and the
    # security settings at their production defaults, whatever this shell has.
    dropped = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "REQUIRE_2FA", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    dropped |= {"SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"}
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    base["VAR_DIR"] = str(tmp_path / "var")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "tracker.example.org",
    "SITE_URL": "https://tracker.example.org",
}


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_secret_or_hosts(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert missing in lines[0]
    assert "Traceback" not in result.stderr


def test_a_bad_boolean_stops_start_up_naming_the_variable(tmp_path):
    result = manage("check", env=PRODUCTION | {"DEBUG": "maybe"}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "Configuration error: DEBUG='maybe' is not a boolean; use true or false."


REDIS_URL = os.environ.get("CELERY_BROKER_URL", "")


@pytest.mark.skipif(not REDIS_URL.startswith("redis://"), reason="needs the Redis that CI runs this on")
def test_a_shared_redis_cache_serves_sessions_to_every_process(tmp_path):
    """With CACHE_URL, sessions are cached_db in Redis: what one process writes
    there (a session, or its deletion at logout) is what every other reads."""
    env = PRODUCTION | {"CACHE_URL": REDIS_URL}
    key = f"test-{secrets.token_hex(8)}"
    write = f"from django.core.cache import cache; cache.set('{key}', 'seen', 30)"
    read = f"from django.conf import settings; from django.core.cache import cache; print(settings.SESSION_ENGINE, cache.get('{key}'))"
    assert manage("shell", "--no-imports", "-c", write, env=env, tmp_path=tmp_path).returncode == 0
    result = manage("shell", "--no-imports", "-c", read, env=env, tmp_path=tmp_path)
    assert result.stdout.split() == ["django.contrib.sessions.backends.cached_db", "seen"], result.stderr


def test_without_a_shared_cache_sessions_stay_in_the_database_alone(tmp_path):
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION | {"CACHE_URL": ""}, tmp_path=tmp_path)
    assert result.stdout.split() == ["django.contrib.sessions.backends.db"], result.stderr
    bad = manage("check", env=PRODUCTION | {"CACHE_URL": "memcached://x"}, tmp_path=tmp_path)
    assert bad.stderr.strip() == "Configuration error: CACHE_URL must be a redis:// URL, not 'memcached://x'."


def test_require_2fa_defaults_to_on_in_production(tmp_path):
    code = "from django.conf import settings; print(settings.REQUIRE_2FA, settings.SESSION_COOKIE_SECURE)"
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION, tmp_path=tmp_path)
    assert result.stdout.split() == ["True", "True"], result.stderr


def test_static_files_get_hashed_names_in_production(tmp_path):
    collected = manage("collectstatic", "--noinput", "-v", "0", env=PRODUCTION, tmp_path=tmp_path)
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((tmp_path / "var" / "staticfiles" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/app.css"]
    assert hashed != "css/app.css" and hashed.startswith("css/app.")
    assert (tmp_path / "var" / "staticfiles" / (hashed + ".gz")).exists()  # WhiteNoise's compressed copy
    code = "from django.templatetags.static import static; print(static('css/app.css'))"
    shown = manage("shell", "--no-imports", "-c", code, env=PRODUCTION, tmp_path=tmp_path)
    assert shown.stdout.strip() == "/static/" + hashed


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip())
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert "http" not in response["Content-Security-Policy"]  # no third-party origins
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_password_validators_refuse_common_short_and_look_alike_passwords(db):
    user = UserFactory(email="mariam.hassan@example.org", full_name="Mariam Hassan")
    for weak in ["password123", "short1!", "mariam.hassan", "1234567890123"]:
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("tram-violet-harbour-42", user)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("docs.un.org/en/{symbol}", "must be an http(s) URL containing {symbol}"),
        ("https://docs.un.org/en/", "must be an http(s) URL containing {symbol}"),
        ("https://docs.un.org/en/{symbol}/{lang}", "may contain only {symbol} or {reference} in braces"),
    ],
)
def test_a_bad_un_document_url_stops_start_up_naming_the_variable(tmp_path, value, message):
    result = manage("check", env=PRODUCTION | {"UN_DOCUMENT_URL": value}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"Configuration error: UN_DOCUMENT_URL={value!r}")
    assert message in result.stderr
