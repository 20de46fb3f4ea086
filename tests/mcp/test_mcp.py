"""hark's MCP server through the official Python MCP client (PyPI `mcp`), over both transports:
Streamable HTTP at /mcp with the project's Basic credentials, and stdio (`hark mcp --stdio`).
Every tool's answer is checked against the REST API's answer for the same data, and project
"other"'s data must never appear in project "mcp"'s answers."""

import asyncio
import contextlib
import datetime
import json
import math
import subprocess
import time
import urllib.error
import urllib.request

import httpx2
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from conftest import HARK, MODEL, basic, clean_env

TRANSPORTS = ["http", "stdio"]
TOOLS = {"search_feedback", "get_item", "list_themes", "get_theme", "rising_themes", "answer_quality"}
# Bound on waiting for `hark mcp --stdio` to load the model (search by words until then).
MODEL_DEADLINE_SECS = 120


@contextlib.asynccontextmanager
async def session(hark, transport, project=None):
    """An initialised MCP client session on project (default "mcp") over the transport."""
    project = project or hark.mcp
    if transport == "http":
        async with httpx2.AsyncClient(headers={"Authorization": project.auth}, timeout=120) as client:
            async with streamable_http_client(hark.base + "/mcp", http_client=client) as streams:
                async with ClientSession(streams[0], streams[1]) as s:
                    await s.initialize()
                    yield s
    else:
        params = StdioServerParameters(
            command=HARK,
            args=["mcp", "--stdio", "--project", project.id, "--data-dir", str(hark.data)],
            env=clean_env(HARK_LOG_LEVEL="warn", HARK_ANALYSIS__MODEL_DIR=str(MODEL)))
        with open(hark.data / "stdio.log", "a") as errlog:
            async with stdio_client(params, errlog=errlog) as streams:
                async with ClientSession(streams[0], streams[1]) as s:
                    await s.initialize()
                    yield s


async def call(s, name, args=None):
    """(is_error, answer): the structured JSON of a result, or the message of a tool error."""
    r = await s.call_tool(name, args or {})
    text = r.content[0].text
    if r.is_error:
        return True, text
    # The text is the same JSON, compact.
    assert json.loads(text) == r.structured_content and ": " not in text[:200], text[:200]
    return False, r.structured_content


async def ok(s, name, args=None):
    is_error, answer = await call(s, name, args)
    assert not is_error, f"{name} {args}: {answer}"
    return answer


async def tool_error(s, name, args):
    is_error, answer = await call(s, name, args)
    assert is_error, f"{name} {args} should fail: {answer}"
    return answer


async def hybrid(s):
    """Waits until search runs by meaning too (the stdio process loads the model itself)."""
    deadline = time.monotonic() + MODEL_DEADLINE_SECS
    while time.monotonic() < deadline:
        if (await ok(s, "search_feedback", {"query": "battery"}))["mode"] == "hybrid":
            return
        await asyncio.sleep(0.5)
    raise AssertionError("search never became hybrid")


def run(coro):
    return asyncio.run(coro)


def days_ago(n):
    return (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=n)).strftime("%Y-%m-%d")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_six_tools_are_listed_with_input_schemas(hark, transport):
    async def scenario():
        async with session(hark, transport) as s:
            tools = {t.name: t for t in (await s.list_tools()).tools}
            assert set(tools) == TOOLS
            for t in tools.values():
                assert t.input_schema["type"] == "object", t
                assert t.description, t
                assert t.annotations.read_only_hint is True, t
            search = tools["search_feedback"].input_schema
            assert search["required"] == ["query"]
            assert {"query", "source", "category", "sentiment", "from", "to", "limit"} <= set(search["properties"])
            assert tools["get_item"].input_schema["required"] == ["id"]
            assert tools["get_theme"].input_schema["required"] == ["id"]
            assert {"category", "from", "to", "days", "sort", "limit"} <= set(tools["list_themes"].input_schema["properties"])
            assert {"application_id", "from", "to", "limit"} <= set(tools["answer_quality"].input_schema["properties"])
    run(scenario())


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_search_answers_as_the_rest_search(hark, transport):
    async def scenario():
        async with session(hark, transport) as s:
            await hybrid(s)
            cases = [({"query": "battery drains fast"}, {"q": "battery drains fast"}),
                     ({"query": "cannot sync with my watch", "limit": 5}, {"q": "cannot sync with my watch", "limit": 5}),
                     ({"query": "sleep tracking", "category": "bug", "from": days_ago(10)},
                      {"q": "sleep tracking", "category": "bug", "created_from": days_ago(10) + "T00:00:00Z"}),
                     ({"query": "app", "sentiment": "negative", "source": hark.mcp.source, "limit": 7},
                      {"q": "app", "sentiment": "negative", "source_id": hark.mcp.source, "limit": 7})]
            for args, params in cases:
                mine = await ok(s, "search_feedback", args)
                rest = hark.mcp.get("/api/1/search", **params)
                assert mine["mode"] == rest["mode"] == "hybrid"
                assert [r["id"] for r in mine["results"]] == [r["item"]["id"] for r in rest["results"]], args
                assert mine["more"] == (rest["next_offset"] is not None)
                assert mine["results"], args
                for m, r in zip(mine["results"], rest["results"]):
                    assert m["created_at"] == r["item"]["created_at"]
                    assert m["similarity"] == r["similarity"] and m["mention"] == r["mention"]
                    assert r["item"]["body"].startswith(m["excerpt"].rstrip("…"))
                    assert m["link"] == f"/feedback/{m['id']}"
                first = mine["results"][0]
                analysis = hark.mcp.get(f"/api/1/items/{first['id']}")["analysis"]
                assert first["category"] == analysis["category"]
                assert first["sentiment"] == analysis["sentiment"]["label"]
    run(scenario())


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_items_answer_as_the_rest_api(hark, transport):
    async def scenario():
        async with session(hark, transport) as s:
            for item in hark.mcp.items[:3]:
                rest = hark.mcp.get(f"/api/1/items/{item['id']}")
                mine = await ok(s, "get_item", {"id": item["id"]})
                assert mine.pop("link") == f"/feedback/{item['id']}"
                assert mine == rest
                assert rest["analysis"]["mentions"], rest
                # An id given as text names the same item.
                assert (await ok(s, "get_item", {"id": str(item["id"])}))["id"] == item["id"]
    run(scenario())


def rounded(x):
    """Three decimals, halves away from zero (as hark rounds; Python's round() rounds half to even)."""
    return math.copysign(math.floor(abs(x) * 1000 + 0.5), x) / 1000


def summary_of(view):
    """What list_themes shows of a REST theme view."""
    m = view["metrics"]
    growth = None if m["wow_change"] is None else rounded(m["wow_change"])
    return {"id": view["id"], "name": view["name"] or view["label"], "mentions": m["mentions"],
            "users": m["distinct_users"], "this_week": m["this_week"], "last_week": m["last_week"],
            "growth": growth, "link": f"/themes/{view['id']}"}


def pick(d):
    return {k: d[k] for k in ("id", "name", "mentions", "users", "this_week", "last_week", "growth", "link")}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_themes_answer_as_the_rest_listing(hark, transport):
    async def scenario():
        async with session(hark, transport) as s:
            rest = hark.mcp.get("/api/1/themes", limit=500)
            mine = await ok(s, "list_themes", {"limit": 100})
            assert mine["sort"] == "mentions" and mine["total_themes"] == len(rest["themes"])
            assert [pick(t) for t in mine["themes"]] == [summary_of(v) for v in rest["themes"][:100]]
            assert mine["unthemed_mentions"] == (rest["unthemed"] or {"mentions": 0})["mentions"]
            # A period and a category, as the REST filters.
            since = days_ago(10)
            mine = await ok(s, "list_themes", {"from": since, "category": "bug", "limit": 100})
            rest_bug = hark.mcp.get("/api/1/themes", limit=500, category="bug", **{"from": since + "T00:00:00Z"})
            assert [pick(t) for t in mine["themes"]] == [summary_of(v) for v in rest_bug["themes"][:100]]
            # The other orders.
            users = await ok(s, "list_themes", {"sort": "users", "limit": 100})
            counts = [t["users"] for t in users["themes"]]
            assert counts == sorted(counts, reverse=True) and len(counts) == len(rest["themes"])
            growth = await ok(s, "list_themes", {"sort": "growth", "limit": 3})
            rises = [t["this_week"] - t["last_week"] for t in growth["themes"]]
            assert rises == sorted(rises, reverse=True) and len(rises) == min(3, len(rest["themes"]))
            # Rising themes: the listing's.
            rising = await ok(s, "rising_themes", {})
            assert [t["id"] for t in rising["themes"]] == rest["rising"]
    run(scenario())


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_theme_answers_as_the_rest_detail_with_the_items_of_its_quotes(hark, transport):
    async def scenario():
        async with session(hark, transport) as s:
            top = hark.mcp.get("/api/1/themes", limit=500)["themes"][0]
            rest = hark.mcp.get(f"/api/1/themes/{top['id']}")
            mine = await ok(s, "get_theme", {"id": top["id"]})
            assert mine["id"] == top["id"] and mine["link"] == f"/themes/{top['id']}"
            assert mine["key_phrases"] == rest["key_phrases"]
            assert mine["metrics"]["mentions"] == rest["metrics"]["mentions"] > 0
            assert mine["metrics"]["users"] == rest["metrics"]["distinct_users"]
            assert mine["metrics"]["categories"] == rest["metrics"]["categories"]
            assert mine["weekly"] == rest["metrics"]["weekly"]
            assert [q["mention_id"] for q in mine["quotes"]] == [m["id"] for m in rest["mentions"]]
            for q in mine["quotes"][:5]:
                assert q["link"] == f"/feedback/{q['item_id']}"
                item = hark.mcp.get(f"/api/1/items/{q['item_id']}")
                assert q["mention_id"] in [m["id"] for m in item["analysis"]["mentions"]], q
            fewer = await ok(s, "get_theme", {"id": top["id"], "limit": 2})
            assert len(fewer["quotes"]) == 2
    run(scenario())


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_answer_quality_answers_as_the_rest_chat_read_back(hark, transport):
    async def scenario():
        async with session(hark, transport) as s:
            app = hark.mcp.app
            for args in ({"application_id": app}, {}):
                mine = await ok(s, "answer_quality", args)
                stats = hark.mcp.get("/api/1/chat/stats", period="week", **args)
                useful = sum(b["useful"] for b in stats["buckets"])
                not_useful = sum(b["not_useful"] for b in stats["buckets"])
                assert (mine["useful"], mine["not_useful"]) == (useful, not_useful) == (4, 3)
                assert mine["useful_rate"] == rounded(4 / 7)
                reasons = {}
                for b in stats["buckets"]:
                    for k, n in b["reasons"].items():
                        reasons[k] = reasons.get(k, 0) + n
                assert mine["reasons"] == reasons and reasons["NOT_HELPFUL"] == 1
                assert [(a["conversation_id"], a["message_id"], a["not_useful"]) for a in mine["most_not_useful"]] == \
                    [(a["conversation_id"], a["message_id"], a["not_useful"]) for a in stats["most_not_useful"]]
                worst = hark.mcp.get("/api/1/chat/feedback", usefulness="NOT_USEFUL", has_comment="true", **args)
                assert [(w["conversation_id"], w["message_id"], w["comment"]) for w in mine["worst_answers"]] == \
                    [(f["conversation_id"], f["message_id"], f["usefulness"]["comment"]) for f in worst["feedback"]]
                assert len(mine["worst_answers"]) == 2
                for w in mine["worst_answers"]:
                    assert w["link"] == f"/ai-answers/{app}/{w['conversation_id']}"
            # A period without votes.
            empty = await ok(s, "answer_quality", {"to": "2000-01-01"})
            assert empty["feedback"] == 0 and empty["useful_rate"] is None
    run(scenario())


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_another_projects_data_never_appears(hark, transport):
    other = hark.other
    # The marker is found in project "other" itself, so its absence below means something.
    assert hark.other.get("/api/1/search", q="Zanzibarquux")["results"]

    async def scenario():
        async with session(hark, transport) as s:
            for query in ("Zanzibarquux", "Zanzibarquux sync crashes every night on my watch"):
                found = await ok(s, "search_feedback", {"query": query, "limit": 100})
                assert "zanzibarquux" not in json.dumps(found).lower(), found
                assert not {r["id"] for r in found["results"]} & {i["id"] for i in other.items}
            for item in other.items:
                message = await tool_error(s, "get_item", {"id": item["id"]})
                assert message == f"not found: the project has no item with id {item['id']}"
            for theme in other.themes:
                assert (await tool_error(s, "get_theme", {"id": theme["id"]})).startswith("not found")
            listed = await ok(s, "list_themes", {"limit": 100})
            assert not {t["id"] for t in listed["themes"]} & {t["id"] for t in other.themes}
            assert "zanzibarquux" not in json.dumps(listed).lower()
            message = await tool_error(s, "answer_quality", {"application_id": other.app})
            assert message.startswith("not found: the project has no application"), message
            message = await tool_error(s, "search_feedback", {"query": "sync", "source": other.source})
            assert message.startswith("not found: the project has no source"), message
        # And the other way round: project "other" sees its own data only.
        async with session(hark, transport, project=other) as s:
            found = await ok(s, "search_feedback", {"query": "Zanzibarquux", "limit": 100})
            assert {r["id"] for r in found["results"]} <= {i["id"] for i in other.items}
            assert found["results"]
            message = await tool_error(s, "get_item", {"id": hark.mcp.items[0]["id"]})
            assert message.startswith("not found")
    run(scenario())


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_bad_arguments_are_tool_errors_naming_the_argument(hark, transport):
    async def scenario():
        async with session(hark, transport) as s:
            for name, args, expected in [
                ("search_feedback", {"query": "sync", "from": "last tuesday"}, "`from`"),
                ("search_feedback", {"query": "sync", "to": "2026-02-30"}, "`to`"),
                ("search_feedback", {"query": "sync", "category": "bugs"}, "feature_request"),
                ("search_feedback", {"query": "sync", "sentiment": "angry"}, "`sentiment`"),
                ("search_feedback", {"query": "  "}, "`query`"),
                ("search_feedback", {"query": "sync", "limit": 0}, "`limit`"),
                ("search_feedback", {"query": "sync", "colour": "red"}, "colour"),
                ("search_feedback", {}, "query"),
                ("list_themes", {"limit": "ten"}, "limit"),
                ("list_themes", {"sort": "newest"}, "newest"),
                ("list_themes", {"days": 7, "from": "2026-01-01"}, "either days or from/to"),
                ("list_themes", {"from": "2026-03-02", "to": "2026-03-01"}, "`to`"),
                ("rising_themes", {"days": 0}, "`days`"),
                ("get_item", {"id": "abc"}, "not found"),
                ("get_item", {"id": -1}, "not found"),
                ("get_theme", {"id": "th_doesnotexist"}, "not found"),
                ("get_theme", {"id": ""}, "not found"),
                ("answer_quality", {"application_id": "not an id"}, "not found"),
                ("answer_quality", {"limit": 1000}, "`limit`"),
            ]:
                message = await tool_error(s, name, args)
                assert expected in message, (name, args, message)
            # The session is still usable after errors.
            assert (await ok(s, "list_themes", {"limit": 1}))["themes"]
    run(scenario())


def post_mcp(hark, authorization=None):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).encode()
    req = urllib.request.Request(hark.base + "/mcp", data=body, method="POST")
    req.add_header("Content-Type", "application/json")
    req.add_header("Accept", "application/json, text/event-stream")
    if authorization:
        req.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_mcp_over_http_needs_the_projects_credentials(hark):
    p = hark.mcp
    for authorization in (None, basic(p.api_key, "hs_wrong"), basic("hk_unknown", p.secret_key),
                          "Bearer " + p.secret_key, basic(hark.other.api_key, p.secret_key)):
        status, headers, _ = post_mcp(hark, authorization)
        assert status == 401, (authorization, status)
        assert headers["WWW-Authenticate"].startswith("Basic"), headers
    status, _, answer = post_mcp(hark, p.auth)
    assert status == 200 and {t["name"] for t in answer["result"]["tools"]} == TOOLS


def test_stdio_writes_only_mcp_to_stdout(hark):
    """Every stdout line is a JSON-RPC message, even with debug logs (they go to stderr)."""
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
         "params": {"name": "search_feedback", "arguments": {"query": "battery"}}},
    ]
    out = subprocess.run([HARK, "mcp", "--stdio", "--project", hark.mcp.id, "--data-dir", str(hark.data)],
                         input="".join(json.dumps(m) + "\n" for m in messages), capture_output=True, text=True,
                         timeout=120, env=clean_env(HARK_LOG_LEVEL="debug", HARK_ANALYSIS__ENABLED="false"))
    assert out.returncode == 0, out.stderr[-2000:]
    answers = [json.loads(line) for line in out.stdout.splitlines()]
    assert [a.get("id") for a in answers] == [1, 2], out.stdout
    assert answers[1]["result"]["structuredContent"]["mode"] == "keyword"
    assert "DEBUG" in out.stderr or "INFO" in out.stderr


def test_stdio_refuses_an_unknown_project(hark):
    out = subprocess.run([HARK, "mcp", "--stdio", "--project", "prj_doesnotexist", "--data-dir", str(hark.data)],
                         input="", capture_output=True, text=True, timeout=60, env=clean_env())
    assert out.returncode != 0 and out.stdout == ""
    assert "no project prj_doesnotexist" in out.stderr
