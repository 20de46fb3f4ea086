"""`/settings` is the admins' page; every page carries the security headers."""

import pytest
import requests
from selenium.webdriver.common.by import By

from harness import page_text, session_cookies, sign_in


def test_admin_sees_settings(hark, admin_browser):
    admin_browser.get(hark.base + "/settings")
    assert admin_browser.find_element(By.TAG_NAME, "h1").text.strip()
    assert admin_browser.find_elements(By.CSS_SELECTOR, "nav a[href='/settings']"), "no Settings link for an admin"
    r = requests.get(hark.base + "/settings", cookies=session_cookies(admin_browser), allow_redirects=False, timeout=30)
    assert r.status_code == 200, r.status_code


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_settings_is_forbidden_to_others(hark, browser, role):
    sign_in(browser, hark, role)
    assert not browser.find_elements(By.CSS_SELECTOR, "nav a[href='/settings']"), f"a Settings link for a {role}"
    r = requests.get(hark.base + "/settings", cookies=session_cookies(browser), allow_redirects=False, timeout=30)
    assert r.status_code == 403, r.status_code
    browser.get(hark.base + "/settings")
    assert "Forbidden" in page_text(browser)


def directives(csp):
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def pages(hark):
    theme = hark.themes()[0]["id"]
    item = hark.items[0]["id"]
    return ["/", "/themes", f"/themes/{theme}", "/feedback", f"/feedback/{item}", "/ai-answers", "/settings",
            "/account/password", "/feedback/export.csv", "/feedback/export.jsonl"]


def check_headers(path, r):
    csp = r.headers.get("content-security-policy")
    assert csp, f"{path}: no Content-Security-Policy"
    d = directives(csp)
    script = d.get("script-src", d.get("default-src"))
    assert script is not None, f"{path}: CSP without script-src or default-src: {csp}"
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, f"{path}: {csp}"
    assert d.get("frame-ancestors") == ["'none'"], f"{path}: {csp}"
    assert r.headers.get("x-content-type-options") == "nosniff", f"{path}: {r.headers}"
    assert r.headers.get("referrer-policy"), f"{path}: no Referrer-Policy"


def test_security_headers_on_every_page(hark, admin_browser):
    cookies = session_cookies(admin_browser)
    for path in pages(hark):
        r = requests.get(hark.base + path, params={"range": "all"} if "export" in path else None,
                         cookies=cookies, allow_redirects=False, timeout=60)
        assert r.status_code == 200, f"{path}: {r.status_code}"
        check_headers(path, r)
    # Signed out: the sign-in page, the redirect to it, and a refusal.
    for path, status in (("/login", 200), ("/themes", 303)):
        r = requests.get(hark.base + path, allow_redirects=False, timeout=30)
        assert r.status_code == status, f"{path}: {r.status_code}"
        check_headers(path, r)
    r = requests.post(hark.base + "/logout", cookies=cookies, data={}, allow_redirects=False, timeout=30)
    assert r.status_code == 403
    check_headers("POST /logout without csrf", r)
