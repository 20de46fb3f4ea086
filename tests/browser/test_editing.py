"""Editing through the UI (rename a theme, correct a category), what a viewer may not do, and
forms without their CSRF token."""

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from harness import click_and_wait, csrf_of, norm, session_cookies, sign_in


def a_theme(hark, index=0):
    themes = hark.themes()
    assert len(themes) > index, themes
    return themes[index]


def an_item(hark, skip=0):
    """A corpus (non-hostile) item and its current analysis, read from the API now."""
    items = [i for i in hark.items if not i["unique_id"].startswith("hostile")]
    item = items[skip]
    return item, hark.item(item["id"])["analysis"]


def post(hark, driver_or_cookies, path, data):
    cookies = driver_or_cookies if isinstance(driver_or_cookies, dict) else session_cookies(driver_or_cookies)
    return requests.post(hark.base + path, data=data, cookies=cookies, allow_redirects=False, timeout=30)


def test_editor_renames_a_theme(hark, browser):
    theme = a_theme(hark, 1)
    sign_in(browser, hark, "editor")
    browser.get(f"{hark.base}/themes/{theme['id']}")
    form = browser.find_element(By.CSS_SELECTOR, f"form[action='/themes/{theme['id']}/rename']")
    field = form.find_element(By.NAME, "name")
    field.clear()
    field.send_keys("Watch sync <problems> & more")
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit], input[type=submit]"))
    after = hark.get(f"/api/1/themes/{theme['id']}")
    assert after["name"] == "Watch sync <problems> & more", after["name"]
    browser.get(f"{hark.base}/themes/{theme['id']}")
    assert norm(browser.find_element(By.TAG_NAME, "h1").text) == "Watch sync <problems> & more"
    browser.get(f"{hark.base}/themes")
    assert "Watch sync <problems> & more" in {norm(a.text) for a in browser.find_elements(By.CSS_SELECTOR, "main a")}


def test_editor_corrects_a_category(hark, browser):
    item, analysis = an_item(hark, 3)
    new = "question" if analysis["category"] != "question" else "praise"
    sign_in(browser, hark, "editor")
    browser.get(f"{hark.base}/feedback/{item['id']}")
    form = browser.find_element(By.CSS_SELECTOR, f"form[action='/feedback/{item['id']}/category']")
    select = Select(form.find_element(By.NAME, "category"))
    assert select.first_selected_option.get_attribute("value") == analysis["category"]
    select.select_by_value(new)
    click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit], input[type=submit]"))
    after = hark.item(item["id"])["analysis"]
    assert after["category"] == new, after
    assert after["category_source"] == "user", after
    browser.get(f"{hark.base}/feedback/{item['id']}")
    select = Select(browser.find_element(By.CSS_SELECTOR, f"form[action='/feedback/{item['id']}/category'] select"))
    assert select.first_selected_option.get_attribute("value") == new


def test_viewer_sees_no_editors_and_a_viewers_post_is_refused(hark, browser):
    theme = a_theme(hark, 2)
    item, analysis = an_item(hark, 5)
    sign_in(browser, hark, "viewer")
    browser.get(f"{hark.base}/themes/{theme['id']}")
    assert norm(browser.find_element(By.TAG_NAME, "h1").text) == (theme["name"] or theme["label"])
    assert not browser.find_elements(By.CSS_SELECTOR, "form[action^='/themes/'][method=post]"), \
        "a viewer is shown a theme editor"
    assert not browser.find_elements(By.CSS_SELECTOR, "input[name=name]")
    browser.get(f"{hark.base}/feedback/{item['id']}")
    assert not browser.find_elements(By.CSS_SELECTOR, "select[name=category]"), "a viewer is shown the category select"
    token = csrf_of(browser)
    rename = post(hark, browser, f"/themes/{theme['id']}/rename", {"csrf": token, "name": "viewer was here"})
    assert rename.status_code == 403, rename.status_code
    category = "bug" if analysis["category"] != "bug" else "praise"
    correct = post(hark, browser, f"/feedback/{item['id']}/category", {"csrf": token, "category": category})
    assert correct.status_code == 403, correct.status_code
    assert hark.get(f"/api/1/themes/{theme['id']}")["name"] == theme["name"]
    assert hark.item(item["id"])["analysis"]["category"] == analysis["category"]


def test_editor_sets_the_theme_granularity_and_a_viewer_cannot(hark, browser):
    sign_in(browser, hark, "viewer")
    browser.get(f"{hark.base}/broad-themes")
    assert not browser.find_elements(By.CSS_SELECTOR, "form[action='/themes/granularity']")
    refused = post(hark, browser, "/themes/granularity", {"csrf": csrf_of(browser), "granularity": "finer"})
    assert refused.status_code == 403, refused.status_code
    browser.delete_all_cookies()
    sign_in(browser, hark, "editor")
    browser.get(f"{hark.base}/broad-themes")
    forged = post(hark, browser, "/themes/granularity", {"csrf": "forged-token", "granularity": "finer"})
    assert forged.status_code == 403, forged.status_code
    assert hark.get("/api/1/analysis/settings")["theme_granularity_from"] == "deployment"
    # Normal and back to the server's default: both regroup at the granularity the corpus has.
    for value, source in [("normal", "project"), ("", "deployment")]:
        form = browser.find_element(By.CSS_SELECTOR, "form[action='/themes/granularity']")
        Select(form.find_element(By.NAME, "granularity")).select_by_value(value)
        browser.execute_script("arguments[0].removeAttribute('data-confirm')", form)
        click_and_wait(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert browser.current_url == f"{hark.base}/broad-themes", browser.current_url
        settings = hark.get("/api/1/analysis/settings")
        assert settings == {"theme_granularity": "normal", "theme_granularity_from": source}, settings
        chosen = Select(browser.find_element(By.CSS_SELECTOR, "form[action='/themes/granularity'] select"))
        assert chosen.first_selected_option.get_attribute("value") == value


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_a_form_without_its_csrf_token_is_refused(hark, browser, token):
    theme = a_theme(hark, 0)
    item, analysis = an_item(hark, 7)
    sign_in(browser, hark, "editor")
    browser.get(f"{hark.base}/themes/{theme['id']}")
    extra = {} if token is None else {"csrf": token}
    rename = post(hark, browser, f"/themes/{theme['id']}/rename", dict(extra, name="csrf was here"))
    assert rename.status_code == 403, rename.status_code
    category = "bug" if analysis["category"] != "bug" else "praise"
    correct = post(hark, browser, f"/feedback/{item['id']}/category", dict(extra, category=category))
    assert correct.status_code == 403, correct.status_code
    logout = post(hark, browser, "/logout", extra)
    assert logout.status_code == 403, logout.status_code
    assert hark.get(f"/api/1/themes/{theme['id']}")["name"] == theme["name"]
    assert hark.item(item["id"])["analysis"]["category"] == analysis["category"]
    # The same session with its token is accepted: the refusal was the token, nothing else.
    ok = post(hark, browser, "/logout", {"csrf": csrf_of(browser)})
    assert ok.status_code == 303 and ok.headers["location"] == "/login", ok.status_code
