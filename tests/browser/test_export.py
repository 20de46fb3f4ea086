"""`/feedback/export.csv` and `.jsonl` with the session cookie: the filtered rows, the same as
the JSON API's list for that filter, in files that parse."""

import csv
import io
import json

import pytest
import requests

from harness import session_cookies


@pytest.fixture(scope="module")
def cookies(admin_browser):
    return session_cookies(admin_browser)


def download(hark, cookies, fmt, query):
    r = requests.get(f"{hark.base}/feedback/export.{fmt}", params=query, cookies=cookies,
                     allow_redirects=False, timeout=120)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    return r


def csv_rows(r):
    assert r.headers["content-type"].startswith("text/csv"), r.headers["content-type"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    return rows


def jsonl_rows(r):
    lines = [line for line in r.content.decode("utf-8").split("\n") if line.strip()]
    return [json.loads(line) for line in lines]


def row_id(row):
    for key in ("id", "item_id"):
        if key in row:
            return str(row[key])
    raise AssertionError(f"no id column in {sorted(row)}")


def search_case(hark):
    source = hark.sources["garmin-connect"]
    expected = hark.all_items(source_id=source, q="app")
    assert 5 <= len(expected) < len([i for i in hark.items if i["source_id"] == source]), len(expected)
    return {"range": "all", "source": source, "q": "app"}, expected


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_has_the_rows_of_the_source_and_search_filter(hark, cookies, fmt):
    query, expected = search_case(hark)
    r = download(hark, cookies, fmt, query)
    rows = csv_rows(r) if fmt == "csv" else jsonl_rows(r)
    assert sorted(row_id(x) for x in rows) == sorted(str(i["id"]) for i in expected)
    by_id = {str(i["id"]): i for i in expected}
    for row in rows:
        assert row["body"] == by_id[row_id(row)]["body"], row_id(row)
    assert "attachment" in r.headers.get("content-disposition", ""), r.headers


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_has_the_rows_of_the_category_filter(hark, cookies, fmt):
    categories = {i["id"]: hark.item(i["id"])["analysis"]["category"] for i in hark.items}
    expected = sorted(str(i) for i, c in categories.items() if c == "bug")
    assert expected
    rows = (csv_rows if fmt == "csv" else jsonl_rows)(download(hark, cookies, fmt, {"range": "all", "category": "bug"}))
    assert sorted(row_id(x) for x in rows) == expected


def test_csv_export_keeps_hostile_text_exact(hark, cookies):
    rows = csv_rows(download(hark, cookies, "csv", {"range": "all", "source": hark.sources["hostile"]}))
    bodies = {row["body"] for row in rows}
    for item in hark.all_items(source_id=hark.sources["hostile"]):
        assert item["body"] in bodies, item["unique_id"]


def test_export_without_a_session_is_refused(hark):
    r = requests.get(f"{hark.base}/feedback/export.csv", params={"range": "all"}, allow_redirects=False, timeout=30)
    assert r.status_code in (302, 303, 307, 401, 403), r.status_code
    assert "text/csv" not in r.headers.get("content-type", "")
