"""Sign-in, sign-out and the redirect of pages without a session, through the real form."""

import pytest
import requests
from selenium.webdriver.common.by import By

from harness import click_and_wait, page_text, session_cookies, sign_in


def test_sign_in_lands_on_the_overview(hark, browser):
    sign_in(browser, hark, "viewer")
    assert browser.current_url == hark.base + "/"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Overview"
    assert "viewer@hark.test" in page_text(browser)


def test_wrong_password_shows_an_error_and_stays_on_login(hark, browser):
    sign_in(browser, hark, email="editor@hark.test", password="not the password", expect_success=False)
    assert browser.current_url.startswith(hark.base + "/login"), browser.current_url
    alert = browser.find_element(By.CSS_SELECTOR, "[role=alert]")
    assert "wrong" in alert.text.lower(), alert.text
    assert "hark_session" not in session_cookies(browser)
    # The form is shown again, with the address kept and the password not.
    assert browser.find_element(By.NAME, "email").get_attribute("value") == "editor@hark.test"
    assert browser.find_element(By.NAME, "password").get_attribute("value") == ""


PAGES = ["/", "/themes?category=bug", "/feedback?range=all&q=sync", "/ai-answers", "/settings", "/account/password"]


@pytest.mark.parametrize("path", PAGES)
def test_a_page_without_a_session_redirects_to_login_and_back(hark, browser, path):
    browser.get(hark.base + path)
    assert browser.current_url.startswith(hark.base + "/login"), browser.current_url
    assert browser.find_elements(By.NAME, "password")
    # Signing in from there returns to the page asked for.
    browser.find_element(By.NAME, "email").send_keys(hark.users["admin"]["email"])
    browser.find_element(By.NAME, "password").send_keys(hark.users["admin"]["password"])
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]"))
    assert browser.current_url == hark.base + path


def test_sign_out_ends_the_session(hark, browser):
    sign_in(browser, hark, "viewer")
    old = session_cookies(browser)
    assert "hark_session" in old
    # The cookie works before signing out.
    before = requests.get(hark.base + "/", cookies=old, allow_redirects=False, timeout=30)
    assert before.status_code == 200, before.status_code
    click_and_wait(browser, browser.find_element(By.XPATH, "//form[@action='/logout']//button[normalize-space()='Sign out']"))
    assert browser.current_url.startswith(hark.base + "/login"), browser.current_url
    after = requests.get(hark.base + "/", cookies=old, allow_redirects=False, timeout=30)
    assert after.status_code in (302, 303, 307), after.status_code
    assert after.headers["location"].startswith("/login"), after.headers["location"]
    # And the browser itself is signed out.
    browser.get(hark.base + "/account/password")
    assert browser.current_url.startswith(hark.base + "/login"), browser.current_url
