"""Each page shows the project's real data, as the JSON API reports it."""

import collections

import pytest
from selenium.webdriver.common.by import By

from harness import VOTES, click_and_wait, norm, page_text

CATEGORIES = ["bug", "feature_request", "complaint", "praise", "question", "other"]
CATEGORY_LABELS = {"bug": "Bugs", "feature_request": "Feature requests", "complaint": "Complaints",
                   "praise": "Praise", "question": "Questions", "other": "Other"}


def theme_title(t):
    return t["name"] or t["label"]


def link_texts(driver):
    return {norm(a.text) for a in driver.find_elements(By.CSS_SELECTOR, "main a")}


def test_overview_counts_match_the_analyses(hark, admin_browser):
    mentions = hark.all_mentions()
    # The items' analyses and the AI-answer comments are all of them.
    of_items = [m for a in hark.analyses.values() for m in a["mentions"]]
    assert {m["id"] for m in of_items} < {m["id"] for m in mentions}
    by_category = collections.Counter(m["category"] for m in mentions)
    admin_browser.get(hark.base + "/")
    stat = admin_browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=vol] .stat").text
    assert stat.replace(",", "") == str(len(mentions)), (stat, len(mentions))
    rows = admin_browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=mix] tbody tr")
    shown = {norm(r.find_elements(By.TAG_NAME, "td")[0].text): r.find_elements(By.TAG_NAME, "td")[1].text
             for r in rows}
    for c in CATEGORIES:
        assert shown[CATEGORY_LABELS[c]].replace(",", "") == str(by_category.get(c, 0)), (c, shown, by_category)


def test_overview_lists_top_themes(hark, admin_browser):
    themes = hark.themes()
    admin_browser.get(hark.base + "/")
    top = {norm(a.text) for a in admin_browser.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=top] a")}
    assert theme_title(themes[0]) in top, (theme_title(themes[0]), top)


def test_themes_page_links_every_listed_theme(hark, admin_browser):
    themes = hark.themes()
    assert themes
    admin_browser.get(hark.base + "/themes")
    links = {norm(a.text): a.get_attribute("href")
             for a in admin_browser.find_elements(By.CSS_SELECTOR, "main a")}
    for t in themes[:10]:
        title = theme_title(t)
        assert title in links, f"theme {t['id']} {title!r} is not link text on /themes: {sorted(links)[:30]}"
        assert links[title] == f"{hark.base}/themes/{t['id']}", links[title]


@pytest.mark.parametrize("category", ["bug", "feature_request", "praise"])
def test_themes_category_tab_lists_that_categorys_themes(hark, admin_browser, category):
    wanted = [t for t in hark.themes(category=category) if t["metrics"]["mentions"] > 0]
    others = {theme_title(t) for t in hark.themes()} - {theme_title(t) for t in wanted}
    admin_browser.get(hark.base + f"/themes?category={category}")
    shown = link_texts(admin_browser)
    for t in wanted[:5]:
        assert theme_title(t) in shown, (category, theme_title(t), shown)
    # A theme without mentions of the category is not on its tab.
    leaked = others & shown
    assert not leaked, (category, leaked)
    current = admin_browser.find_elements(
        By.CSS_SELECTOR, f"a[href*='category={category}'][aria-current], a[href*='category={category}'][aria-selected=true]")
    assert current, f"the {category} tab is not marked as the current one"


def test_theme_page_shows_its_name_and_quotes(hark, admin_browser):
    theme = hark.themes()[0]
    detail = hark.get(f"/api/1/themes/{theme['id']}")
    admin_browser.get(hark.base + f"/themes/{theme['id']}")
    assert norm(admin_browser.find_element(By.TAG_NAME, "h1").text) == theme_title(theme)
    text = page_text(admin_browser)
    quotes = theme.get("quotes") or []
    assert quotes, detail
    assert any(norm(q if isinstance(q, str) else q.get("text", ""))[:60] in text for q in quotes), quotes


def test_broad_themes_page_lists_each_broad_theme_with_its_themes(hark, admin_browser):
    broad = hark.get("/api/1/broad-themes")["broad_themes"]
    assert broad, "the corpus's themes formed no broad theme"
    titles = {t["id"]: theme_title(t) for t in hark.themes(limit=500)}
    admin_browser.get(hark.base + "/broad-themes")
    links = {norm(a.text): a.get_attribute("href")
             for a in admin_browser.find_elements(By.CSS_SELECTOR, "main a")}
    for b in broad[:10]:
        assert links.get(norm(b["label"])) == f"{hark.base}/broad-themes/{b['id']}", (b["label"], sorted(links)[:30])
        first = titles[b["children"][0]]
        assert links.get(first) == f"{hark.base}/themes/{b['children'][0]}", (first, b)


def test_broad_theme_page_compares_its_themes_and_links_back(hark, admin_browser):
    b = hark.get("/api/1/broad-themes")["broad_themes"][0]
    detail = hark.get(f"/api/1/broad-themes/{b['id']}")
    admin_browser.get(hark.base + f"/broad-themes/{b['id']}")
    assert norm(admin_browser.find_element(By.TAG_NAME, "h1").text) == norm(b["label"])
    region = admin_browser.find_element(By.CSS_SELECTOR, "[aria-label='Themes of this broad theme']")
    rows = region.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [norm(r.find_element(By.TAG_NAME, "a").text) for r in rows] == \
        [theme_title(t) for t in detail["themes"]]
    counts = [r.find_elements(By.TAG_NAME, "td")[1].text.replace(",", "") for r in rows]
    assert counts == [str(t["metrics"]["mentions"]) for t in detail["themes"]], counts
    # Each of its themes names it as the broad theme it belongs to.
    child = detail["themes"][0]["id"]
    admin_browser.get(hark.base + f"/themes/{child}")
    parent = admin_browser.find_element(By.CSS_SELECTOR, f"main a[href='/broad-themes/{b['id']}']")
    assert norm(parent.text) == norm(b["label"])


def test_feedback_list_and_item_page_show_the_items_text(hark, admin_browser):
    newest = hark.all_items()[:20]
    item = next(i for i in newest if len(i["body"] or "") < 100 and not i["unique_id"].startswith("hostile"))
    admin_browser.get(hark.base + "/feedback")
    assert norm(item["body"]) in page_text(admin_browser), item["body"]
    link = admin_browser.find_elements(By.CSS_SELECTOR, f"main a[href='/feedback/{item['id']}']")
    assert link, f"no link to /feedback/{item['id']} on /feedback"
    click_and_wait(admin_browser, link[0])
    assert admin_browser.current_url == f"{hark.base}/feedback/{item['id']}"
    text = page_text(admin_browser)
    assert norm(item["body"]) in text
    analysis = hark.analyses[item["id"]]
    assert CATEGORY_LABELS[analysis["category"]].lower() in text.lower() or analysis["category"] in text, \
        (analysis["category"], text[:2000])


def test_feedback_search_filter_is_in_the_url(hark, admin_browser):
    """The page's search is the API's hybrid search: the same items in the same order, the
    literal matches among them flagged as such."""
    api = hark.get("/api/1/search", q="battery", limit=25)
    assert api["mode"] == "hybrid", api["mode"]
    expected = [str(r["item"]["id"]) for r in api["results"]]
    literal = {str(i["id"]) for i in hark.all_items(q="battery")}
    assert literal, "corpus has no 'battery' review"
    flagged = {str(r["item"]["id"]) for r in api["results"] if r["keyword"]}
    assert flagged and flagged <= literal, (flagged, literal)
    admin_browser.get(hark.base + "/feedback?range=all&q=battery")
    shown = []
    for a in admin_browser.find_elements(By.CSS_SELECTOR, "main a[href^='/feedback/']"):
        href = a.get_attribute("href")
        if "/feedback/export" in href or "?" in href:
            continue
        if (i := href.rsplit("/", 1)[1]) not in shown:
            shown.append(i)
    assert shown == expected, (shown, expected)


def test_feedback_page_links_the_exports_with_its_filters(hark, admin_browser):
    admin_browser.get(hark.base + "/feedback?range=all&q=battery")
    hrefs = [a.get_attribute("href") for a in admin_browser.find_elements(By.CSS_SELECTOR, "a[href*='/feedback/export']")]
    assert any("/feedback/export.csv" in h and "q=battery" in h for h in hrefs), hrefs
    assert any("/feedback/export.jsonl" in h and "q=battery" in h for h in hrefs), hrefs


def test_ai_answers_shows_the_votes(hark, admin_browser):
    useful = sum(1 for u, _, _ in VOTES if u == "USEFUL")
    admin_browser.get(hark.base + "/ai-answers?range=all")
    text = page_text(admin_browser)
    assert f"{round(useful * 100 / len(VOTES))}%" in text, text[:1500]
    assert "The pairing steps are wrong for my watch" in text, "a NOT_USEFUL comment is not shown"
    admin_browser.get(hark.base + "/")
    ai = norm(admin_browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=ai]").text)
    assert f"{round(useful * 100 / len(VOTES))}% useful" in ai, ai


def test_ai_answers_lists_the_themes_of_the_comments(hark, admin_browser):
    """The comments' themes on /ai-answers are the API's themes of mentions said in comments."""
    listing = hark.get("/api/1/themes", said_in="comment", limit=8)
    expected = [t["name"] or t["label"] for t in listing["themes"] if t["metrics"]["mentions"] > 0]
    comments = hark.all_mentions(said_in="comment")
    assert comments, "the votes' comments were not analysed"
    assert not [m for m in comments if m["text"].startswith("HOSTILE-") and "CHAT" not in m["text"]], \
        "an item's mention is listed as said in a comment"
    assert len(hark.all_mentions(said_in="item")) + len(comments) == len(hark.all_mentions())
    admin_browser.get(hark.base + "/ai-answers?range=all")
    section = admin_browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=comment-themes]")
    shown = [norm(a.text) for a in section.find_elements(By.CSS_SELECTOR, "li a")]
    assert shown == [norm(e) for e in expected], (shown, expected)
    unthemed = (listing.get("unthemed") or {}).get("mentions", 0)
    if unthemed:
        assert f"{unthemed} comment mentions are in no theme yet" in norm(section.text), section.text
    assert shown or unthemed, "comments were analysed but the section shows none of them"


def test_account_page_shows_the_user(hark, admin_browser):
    admin_browser.get(hark.base + "/account/password")
    assert "admin@hark.test" in page_text(admin_browser)
    assert admin_browser.find_elements(By.NAME, "current")
