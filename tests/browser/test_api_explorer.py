"""The API explorer (`/api/docs`): Swagger UI from assets embedded in hark, under its own
Content-Security-Policy, renders every operation of `/api/1/openapi.json` in a real browser, and
"Try it out" calls the live API."""

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def test_the_explorer_renders_every_operation(hark, browser):
    doc = requests.get(hark.base + "/api/1/openapi.json", timeout=30).json()
    operations = sum(1 for item in doc["paths"].values() for m in item if m in ("get", "put", "post", "patch", "delete"))
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation',
            e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"""})
    browser.get(hark.base + "/api/docs/")
    WebDriverWait(browser, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock")) == operations)
    assert "hark" in browser.find_element(By.CSS_SELECTOR, ".info .title").text
    # Nothing was blocked: every resource came from hark itself and the CSP refused none.
    urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert urls and all(u.startswith(hark.base) for u in urls), urls
    assert browser.execute_script("return window.__cspViolations") == []


def test_try_it_out_calls_the_live_api(hark, browser):
    browser.get(hark.base + "/api/docs/#/operations/healthz")
    block = WebDriverWait(browser, 30).until(EC.presence_of_element_located((By.ID, "operations-operations-healthz")))
    if "is-open" not in block.get_attribute("class"):
        block.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    WebDriverWait(block, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".try-out__btn"))[0].click()
    WebDriverWait(block, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".execute"))[0].click()
    body = WebDriverWait(block, 30).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".live-responses-table .response-col_description pre"))
    assert '"status": "ok"' in body[0].text
