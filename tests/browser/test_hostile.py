"""Hostile feedback (markup, script URLs, bidi overrides, zero-width characters) renders as
inert text on every page that shows it."""

import pytest
from selenium.webdriver.common.by import By

from harness import HOSTILE, REFUSED_URL, no_alert, page_text

MARKERS = {uid: fields["body"].split()[0] for uid, fields in HOSTILE}

# Everything in the DOM that would come from the payloads if they were parsed as markup.
DOM_PROBE = """
const bad = [];
for (const el of document.querySelectorAll('*')) {
  for (const a of el.attributes) {
    if (a.name.startsWith('on')) bad.push(el.tagName + ' ' + a.name + '=' + a.value);
    if (/^\\s*javascript:/i.test(a.value) && ['href', 'src', 'action', 'formaction'].includes(a.name))
      bad.push(el.tagName + ' ' + a.name + '=' + a.value);
  }
}
for (const s of document.querySelectorAll('script')) {
  if (!s.src || s.textContent.trim()) bad.push('script ' + (s.src || s.textContent));
}
for (const el of document.querySelectorAll('img[src="x"], iframe, object, embed, svg[onload], b[onmouseover]'))
  bad.push(el.outerHTML.slice(0, 200));
return bad;
"""

# Text nodes with a bidi override whose effect is not contained: no inline ancestor up to its
# block isolates it (bdi, dir=auto, unicode-bidi: isolate/isolate-override/plaintext), and the
# block holds other text too, unless the page marks that block as user text (unicode-bidi:
# plaintext). Blocks are `isolate` in Chrome's own stylesheet, which does not end an override
# inside them, so a block's own `isolate` does not count.
BIDI_PROBE = """
const leaks = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const isolating = ['isolate', 'isolate-override', 'plaintext'];
while (walker.nextNode()) {
  const node = walker.currentNode;
  if (!/[\\u202a-\\u202e\\u2066-\\u2069]/.test(node.data)) continue;
  let el = node.parentElement, contained = false;
  while (el) {
    const style = getComputedStyle(el);
    if (!style.display.startsWith('inline')) {
      contained = style.unicodeBidi === 'plaintext' || el.textContent.trim() === node.data.trim();
      break;
    }
    if (isolating.includes(style.unicodeBidi)) { contained = true; break; }
    el = el.parentElement;
  }
  if (!contained) leaks.push((node.parentElement.outerHTML || '').slice(0, 200));
}
return leaks;
"""


def assert_inert(driver, where):
    assert driver.execute_script("return window.__xss") is None, f"{where}: a payload ran"
    no_alert(driver)
    bad = driver.execute_script(DOM_PROBE)
    assert not bad, f"{where}: markup from the data is live: {bad}"


def hostile_items(hark):
    return [hark.item_by_unique_id(uid) for uid, _ in HOSTILE]


def test_the_scheme_only_javascript_url_is_refused_at_ingest(hark):
    assert not [i for i in hark.items if i["unique_id"] == REFUSED_URL[0]]


def test_feedback_list_shows_hostile_items_inert(hark, admin_browser):
    admin_browser.get(f"{hark.base}/feedback?range=all&source={hark.sources['hostile']}")
    text = page_text(admin_browser)
    for uid, marker in MARKERS.items():
        assert marker in text, f"{uid} is not on the hostile source's list"
    assert "<script>window.__xss=1</script>" in text, "the markup is not shown as text"
    assert_inert(admin_browser, "/feedback")


@pytest.mark.parametrize("uid", [uid for uid, _ in HOSTILE])
def test_hostile_item_page_is_inert(hark, admin_browser, uid):
    item = hark.item_by_unique_id(uid)
    admin_browser.get(f"{hark.base}/feedback/{item['id']}")
    assert MARKERS[uid] in page_text(admin_browser), f"{uid}: its page does not show it"
    assert_inert(admin_browser, f"/feedback/{item['id']} ({uid})")
    if uid == "hostile-url":
        hrefs = [a.get_attribute("href") or "" for a in admin_browser.find_elements(By.TAG_NAME, "a")]
        assert not [h for h in hrefs if "__xss" in h or h.lower().startswith("javascript")], hrefs
        assert "javascript://hark.test/%0Awindow.__xss=1" in page_text(admin_browser), "the url is not shown as text"
    if uid == "hostile-parts":
        assert "HOSTILE-PART" in page_text(admin_browser), "the conversation part is not shown"


def test_bidi_overrides_in_the_data_are_isolated(hark, admin_browser):
    item = hark.item_by_unique_id("hostile-bidi")
    leaks = []
    for path in (f"/feedback/{item['id']}", f"/feedback?range=all&source={hark.sources['hostile']}"):
        admin_browser.get(hark.base + path)
        assert "HOSTILE-BIDI" in page_text(admin_browser)
        leaks += [(path, leak) for leak in admin_browser.execute_script(BIDI_PROBE)]
    assert not leaks, f"a right-to-left override from the data can reorder the text after it: {leaks}"


def test_ai_answers_with_a_hostile_comment_is_inert(hark, admin_browser):
    admin_browser.get(hark.base + "/ai-answers?range=all")
    assert "HOSTILE-CHAT" in page_text(admin_browser), "the hostile comment is not shown"
    assert_inert(admin_browser, "/ai-answers")


def test_theme_pages_with_hostile_mentions_are_inert(hark, admin_browser):
    theme_ids = {m["theme_id"] for i in hostile_items(hark)
                 for m in (hark.analyses[i["id"]] or {}).get("mentions", []) if m.get("theme_id")}
    broad = {t["parent_id"] for t in hark.themes(limit=500) if t["id"] in theme_ids and t.get("parent_id")}
    pages = ["/", "/themes", "/broad-themes"] + [f"/themes/{t}" for t in sorted(theme_ids)]
    for path in pages + [f"/broad-themes/{b}" for b in sorted(broad)]:
        admin_browser.get(hark.base + path)
        assert_inert(admin_browser, path)
