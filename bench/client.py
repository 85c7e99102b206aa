"""What the benchmark does as a client of the served app: requests, signing in
through the real login and two-factor forms, and driving wrk."""

import html.parser
import http.client
import re
import shutil
import subprocess
from urllib.parse import urlencode, urljoin, urlsplit


class BenchError(Exception):
    """The benchmark cannot run; the message says why and what to do."""


# --- HTTP: the real login form ----------------------------------------------------------


def http_request(port: int, method: str, path: str, *, cookies: dict | None = None, form: dict | None = None):
    """One request; returns (status, headers as a list of pairs, body text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": f"127.0.0.1:{port}"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _set_cookies(headers, cookies: dict):
    """Cookies are marked Secure with DEBUG off; over plain HTTP on localhost the
    benchmark sends them back itself, as a TLS proxy would let a browser."""
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            if val and "max-age=0" not in value.lower():
                cookies[key.strip()] = val.strip()
            else:
                cookies.pop(key.strip(), None)


class _FormParser(html.parser.HTMLParser):
    """The inputs of the page's forms: name -> (type, value)."""

    def __init__(self):
        super().__init__()
        self.inputs: dict[str, tuple[str, str]] = {}

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            attributes = dict(attrs)
            if attributes.get("name"):
                self.inputs.setdefault(
                    attributes["name"], (attributes.get("type", "text"), attributes.get("value") or "")
                )


def form_inputs(body: str) -> dict[str, tuple[str, str]]:
    parser = _FormParser()
    parser.feed(body)
    return parser.inputs


def location(headers) -> str:
    for name, value in headers:
        if name.lower() == "location":
            return urlsplit(urljoin("http://127.0.0.1/", value))._replace(scheme="", netloc="").geturl()
    return ""


def login(port: int, email: str, password: str, *, totp_key: str | None = None, log=print) -> dict:
    """Sign in through the login form (and the two-factor verify step when the
    app asks for it); returns the cookies, sessionid among them."""
    cookies: dict[str, str] = {}
    status, headers, body = http_request(port, "GET", "/accounts/login/")
    if status != 200:
        raise BenchError(f"GET /accounts/login/ answered {status}; the login page is needed to sign in.")
    _set_cookies(headers, cookies)
    inputs = form_inputs(body)
    user_field = next((name for name in ("username", "email", "login") if name in inputs), "username")
    form = {
        "csrfmiddlewaretoken": inputs.get("csrfmiddlewaretoken", ("", ""))[1],
        user_field: email,
        "password": password,
    }
    status, headers, body = http_request(port, "POST", "/accounts/login/", cookies=cookies, form=form)
    _set_cookies(headers, cookies)
    if status != 302 or "sessionid" not in cookies:
        raise BenchError(f"Signing in as {email} failed (HTTP {status}); is the bench password accepted?")
    # Follow redirects until a page answers; on the way, pass the two-factor step.
    next_path = location(headers) or "/"
    for _ in range(5):
        status, headers, body = http_request(port, "GET", next_path, cookies=cookies)
        _set_cookies(headers, cookies)
        if status not in (301, 302):
            break
        next_path = location(headers)
        if "/two-factor/verify" in next_path:
            if not totp_key:
                raise BenchError(f"{email} is asked for a two-factor code and has no authenticator.")
            status, headers, body = http_request(port, "GET", next_path, cookies=cookies)
            _set_cookies(headers, cookies)
            inputs = form_inputs(body)
            code_field = next(
                (name for name in ("code", "token", "otp_token") if name in inputs),
                next((name for name, (kind, _) in inputs.items() if kind not in ("hidden", "submit")), "code"),
            )
            form = {
                "csrfmiddlewaretoken": inputs.get("csrfmiddlewaretoken", ("", ""))[1],
                code_field: totp_now(totp_key),
            }
            status, headers, body = http_request(port, "POST", next_path, cookies=cookies, form=form)
            _set_cookies(headers, cookies)
            if status != 302:
                raise BenchError(f"The two-factor step refused the code for {email} (HTTP {status}).")
            next_path = location(headers)
        elif "/two-factor/enrol" in next_path:
            raise BenchError(f"{email} is asked to enrol in two-factor login; the bench could not pre-enrol it.")
    return cookies


def totp_now(key_hex: str) -> str:
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(key_hex), step=30, t0=0, digits=6):06d}"


# --- wrk -------------------------------------------------------------------------------

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(output: str) -> dict:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    total = re.search(r"(\d+) requests in", output)
    return {
        "rps": float(rps.group(1)) if rps else None,
        "p99_ms": float(p99.group(1)) * _UNITS_MS[p99.group(2)] if p99 else None,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
        "requests": int(total.group(1)) if total else 0,
    }


def run_wrk(
    port: int,
    path: str,
    *,
    threads: int,
    connections: int,
    duration: int,
    cookies: dict | None = None,
    script: tuple[str, ...] = (),
) -> dict:
    """wrk's figures for ``path``; ``script`` is a Lua script and its arguments."""
    wrk = shutil.which("wrk")
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if cookies:
        command += ["-H", "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())]
    if script:
        command += ["-s", script[0]]
    command.append(f"http://127.0.0.1:{port}{path}")
    if script[1:]:
        command += ["--", *script[1:]]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BenchError(f"wrk failed: {result.stderr}")
    return {**parse_wrk(result.stdout), "output": result.stdout}
