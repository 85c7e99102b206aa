"""The realistic mix: signed-in users, each with their own session, cycling
through their pages with one write (a note) in every WRITE_EVERY requests,
driven by wrk with bench/mix.lua.

``sign_in`` signs each user in through the real login and two-factor forms and
takes the CSRF token from their ask page, as a browser would; ``write_sessions``
writes what mix.lua reads; ``run`` runs wrk and checks mix.lua's tallies, so a
session that was signed out, or a write that was refused, is an error and not
a fast page."""

import re
from dataclasses import dataclass
from pathlib import Path

from bench.client import BenchError, form_inputs, http_request, login, run_wrk

USERS = 20
WRITE_EVERY = 20  # as in mix.lua
SCRIPT = Path(__file__).with_name("mix.lua")


@dataclass
class SignedIn:
    email: str
    cookie: str  # the Cookie header: the session and the CSRF cookie
    csrf_token: str
    asks: list[str]
    campaigns: list[str]
    notes: list[str]


def sign_in(port: int, users: list[dict], *, log=print) -> list[SignedIn]:
    """Sign in each of ``users`` (from steps.mix_users) and check that their pages answer."""
    from bench.data import BENCH_PASSWORD

    if not users:
        raise BenchError("The bench data has no users who may edit asks for the mix.")
    log(f"Signing in the mix's {len(users)} users...")
    signed_in = []
    for user in users:
        cookies = login(port, user["email"], BENCH_PASSWORD, totp_key=user["totp_key"], log=log)
        ask_page = user["notes"][0].removesuffix("note/")
        status, _, body = http_request(port, "GET", ask_page, cookies=cookies)
        token = form_inputs(body).get("csrfmiddlewaretoken", ("", ""))[1]
        if status != 200 or not token:
            raise BenchError(f"{user['email']}'s ask page {ask_page} answered {status} without a note form.")
        cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        signed_in.append(SignedIn(user["email"], cookie, token, user["asks"], user["campaigns"], user["notes"]))
    return signed_in


def write_sessions(users: list[SignedIn], path: Path) -> None:
    """The file mix.lua reads: a ``user`` line, then that user's paths."""
    lines = []
    for user in users:
        lines.append(f"user\t{user.cookie}\t{user.csrf_token}")
        lines.extend(f"ask\t{path}" for path in user.asks)
        lines.extend(f"campaign\t{path}" for path in user.campaigns)
        lines.extend(f"note\t{path}" for path in user.notes)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def run(port: int, sessions_path: Path, options) -> dict:
    """One wrk run of the mix; ``problem`` says why its figures do not count."""
    measured = run_wrk(
        port,
        "/",
        threads=options.threads,
        connections=options.connections,
        duration=options.duration,
        script=(str(SCRIPT), str(sessions_path)),
    )
    return {**measured, **check_tallies(measured)}


def check_tallies(measured: dict) -> dict:
    tallies = re.search(r"mix: writes (\d+) signed_out (\d+) unexpected (\d+)", measured["output"])
    if not tallies or measured["rps"] is None:
        return {"writes": 0, "problem": "wrk printed no figures or mix.lua no tallies"}
    writes, signed_out, unexpected = (int(number) for number in tallies.groups())
    problem = ""
    if signed_out:
        problem = f"{signed_out} requests were sent to sign in again"
    elif unexpected or measured["non_2xx"]:
        problem = f"{unexpected} unexpected responses (neither a page nor a saved note) {measured['socket_errors']}"
    elif not writes and measured["requests"] >= 2 * USERS * WRITE_EVERY:
        problem = "no note was written"
    return {"writes": writes, "problem": problem}
