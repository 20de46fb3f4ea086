"""Every page: no serious or critical axe-core violations, screenshots at desktop and phone width
(docs/screenshots/), and no horizontal overflow on a 390 px wide phone."""

import base64
import json

import pytest
from axe_selenium_python import Axe
from selenium.webdriver.common.by import By

from harness import ROOT, new_chrome, quit_chrome

SHOTS = ROOT / "docs" / "screenshots"
# axe-core from npm (tests/browser/package.json): axe-selenium-python bundles axe 3.1 (2018).
AXE_JS = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["overview", "themes", "theme", "broad-themes", "broad-theme", "feedback", "item", "ai-answers", "settings", "account", "login"]
SIZES = {"desktop": (1366, 900, False), "phone": (390, 844, True)}


def path_of(hark, page):
    if page == "theme":
        return f"/themes/{hark.themes()[0]['id']}"
    if page == "broad-theme":
        return f"/broad-themes/{hark.get('/api/1/broad-themes')['broad_themes'][0]['id']}"
    if page == "item":
        item = next(i for i in hark.items if not i["unique_id"].startswith("hostile") and len(i["body"]) > 150)
        return f"/feedback/{item['id']}"
    if page == "item-hostile":
        return f"/feedback/{hark.item_by_unique_id('hostile-long')['id']}"
    return {"overview": "/", "themes": "/themes", "broad-themes": "/broad-themes", "feedback": "/feedback", "ai-answers": "/ai-answers",
            "settings": "/settings", "account": "/account/password", "login": "/login"}[page]


@pytest.fixture(scope="module")
def signed_out_browser():
    d = new_chrome()
    yield d
    quit_chrome(d)


def open_page(hark, page, admin_browser, signed_out_browser, size="desktop"):
    driver = signed_out_browser if page == "login" else admin_browser
    width, height, mobile = SIZES[size]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
    path = path_of(hark, page)
    driver.get(hark.base + path)
    assert driver.current_url == hark.base + path, f"{page}: landed on {driver.current_url}"
    h1 = driver.find_elements(By.TAG_NAME, "h1")
    assert h1 and "Not Found" not in h1[0].text, f"{page}: {driver.find_element(By.TAG_NAME, 'body').text[:200]}"
    return driver


def describe(violations):
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for n in v["nodes"][:5]:
            lines.append(f"    {n['target']}: {n.get('failureSummary', '').splitlines()[-1:]} {n['html'][:160]}")
    return "\n".join(lines)


@pytest.mark.parametrize("page", PAGES)
def test_no_serious_accessibility_violations(hark, admin_browser, signed_out_browser, page):
    driver = open_page(hark, page, admin_browser, signed_out_browser)
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run npm ci in tests/browser"
    axe = Axe(driver, script_url=str(AXE_JS))
    axe.inject()
    assert driver.execute_script("return axe.version").startswith("4."), "axe-core 4 was not injected"
    results = axe.run()
    assert results["passes"], "axe ran no checks"
    bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{page}: {len(bad)} serious/critical axe violations\n{describe(bad)}"


def screenshot(driver, name, width):
    """The whole page, `width` CSS pixels wide."""
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    content = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": content["height"], "scale": 1}})
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("page", PAGES)
def test_screenshot(hark, admin_browser, signed_out_browser, page, size):
    driver = open_page(hark, page, admin_browser, signed_out_browser, size)
    screenshot(driver, f"{page}-{size}", SIZES[size][0])
    assert (SHOTS / f"{page}-{size}.png").stat().st_size > 1000


@pytest.mark.parametrize("page", PAGES + ["item-hostile"])
def test_no_horizontal_overflow_on_a_phone(hark, admin_browser, signed_out_browser, page):
    driver = open_page(hark, page, admin_browser, signed_out_browser, "phone")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    if width > 391:
        wide = driver.execute_script("""
            return [...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > 391)
              .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                               + ' right=' + Math.round(e.getBoundingClientRect().right));""")
        pytest.fail(f"{page}: {width}px wide on a 390px phone; too wide: {json.dumps(wide)}")


# Every <dd> to the right of its <dt> (the value column of a two-column list), or below it when
# the list stacks; never in the label column beside another label.
DL_PROBE = """
const bad = [];
for (const dl of document.querySelectorAll('dl')) {
  let dt = null;
  for (const el of dl.children) {
    if (el.tagName === 'DT') { dt = el; continue; }
    if (el.tagName !== 'DD' || !dt) continue;
    const a = dt.getBoundingClientRect(), b = el.getBoundingClientRect();
    const right = b.left >= a.right - 1, below = b.top >= a.bottom - 1 && Math.abs(b.left - a.left) < 2;
    const stacked = getComputedStyle(dl).display !== 'grid';
    if (!(right || (stacked && below)))
      bad.push(dt.textContent.trim() + ' -> ' + el.textContent.trim().slice(0, 60)
               + ` (dt left ${Math.round(a.left)}, dd left ${Math.round(b.left)})`);
  }
}
return bad;
"""


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("page", PAGES)
def test_definition_lists_keep_values_beside_their_labels(hark, admin_browser, signed_out_browser, page, size):
    driver = open_page(hark, page, admin_browser, signed_out_browser, size)
    bad = driver.execute_script(DL_PROBE)
    assert not bad, f"{page} ({size}): values out of their column: {bad}"
