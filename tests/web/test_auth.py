"""Sign-in, sign-out, CSRF, session rotation, throttling and the security headers."""

from __future__ import annotations

from starlette.testclient import TestClient

from ghtraffic.identity.sessions import COOKIE
from tests.web.conftest import PASSWORD, csrf_from, login


def test_login_then_logout(anon: TestClient) -> None:
    assert anon.get("/").status_code == 303
    login(anon, "admin")
    page = anon.get("/")
    assert page.status_code == 200
    assert "acme/rocket" in page.text
    token = csrf_from(page.text)
    assert anon.post("/logout", data={"csrf_token": token}).status_code == 303
    assert anon.get("/").headers["location"].startswith("/login")


def test_wrong_password_is_refused(anon: TestClient) -> None:
    page = anon.get("/login")
    response = anon.post(
        "/login", data={"name": "admin", "password": "nope", "csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 401
    assert COOKIE not in anon.cookies


def test_login_without_csrf_token_is_refused(anon: TestClient) -> None:
    anon.get("/login")
    response = anon.post("/login", data={"name": "admin", "password": PASSWORD})
    assert response.status_code == 403


def test_state_changing_request_without_csrf_is_refused(admin: TestClient) -> None:
    assert admin.post("/logout").status_code == 403
    assert admin.post("/admin/users", data={"name": "x", "password": "12345678"}).status_code == 403
    assert admin.post("/logout", data={"csrf_token": "wrong"}).status_code == 403
    assert admin.get("/").status_code == 200  # still signed in


def test_session_id_is_rotated_at_login(anon: TestClient) -> None:
    anon.cookies.set(COOKIE, "planted-by-an-attacker")
    login(anon, "viewer")
    first = next(c.value for c in anon.cookies.jar if c.name == COOKIE and c.domain != "")
    assert first != "planted-by-an-attacker"
    anon.cookies.clear()
    anon.cookies.set(COOKIE, first)
    # signing in again from the same browser issues a new id and ends the old one
    token = csrf_from(anon.get("/").text)
    response = anon.post(
        "/login", data={"name": "viewer", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    second = next(c.value for c in anon.cookies.jar if c.name == COOKIE and c.domain != "")
    assert second
    assert second != first
    anon.cookies.clear()
    anon.cookies.set(COOKIE, first)
    assert anon.get("/").status_code == 303


def test_cookie_flags(app: object, anon: TestClient) -> None:
    page = anon.get("/login")
    response = anon.post(
        "/login",
        data={"name": "admin", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and COOKIE in v)
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()


def test_throttling_after_five_failures(anon: TestClient) -> None:
    for _ in range(5):
        page = anon.get("/login")
        anon.post(
            "/login",
            data={"name": "admin", "password": "bad", "csrf_token": csrf_from(page.text)},
        )
    page = anon.get("/login")
    response = anon.post(
        "/login", data={"name": "admin", "password": PASSWORD, "csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 429
    assert "try again" in response.text
    # another user from the same address is not held up
    login(anon, "viewer")


def test_security_headers(anon: TestClient) -> None:
    response = anon.get("/login")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]
    assert "<script>" not in response.text.replace('<script src="', "")


def test_untrusted_text_is_escaped(admin: TestClient) -> None:
    page = admin.get("/repos/acme/rocket?range=90d")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<b>fast</b>" not in page.text
    assert "<i>home</i>" not in page.text


def test_only_local_next_targets(anon: TestClient) -> None:
    page = anon.get("/login?next=//evil.example/")
    response = anon.post(
        "/login",
        data={
            "name": "admin",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/"


def test_a_grant_of_what_the_archive_does_not_hold_warns_on_the_admin_page(
    admin: TestClient,
) -> None:
    page = admin.get("/admin")
    granted = admin.post(
        "/admin/grants",
        data={"name": "viewer", "target": "globex", "csrf_token": csrf_from(page.text)},
    )
    assert "warning" not in admin.get(granted.headers["location"]).text.lower()
    missing = admin.post(
        "/admin/grants",
        data={"name": "viewer", "target": "globx/plan", "csrf_token": csrf_from(page.text)},
    )
    shown = admin.get(missing.headers["location"]).text
    assert "Granted; the archive holds no repository globx/plan yet" in shown
