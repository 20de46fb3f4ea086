"""The OpenAPI 3.1 document against a live hark: it validates (openapi-spec-validator), the API
explorer serves its own assets, and the property-based fuzzer schemathesis, driven by the document,
finds no 5xx, no answer outside the documented statuses, content types and schemas, no route that
ignores its auth, and no crash, on every surface.

The fuzzer gets the document as served, with one addition so that it reaches the handlers' logic:
the ids of path parameters (and the ingest source, the merge target) are narrowed to the corpus's
real ids; out-of-range values are still sent by its negative cases.

Checks left out, and why:
- positive_data_acceptance: schema-valid requests may be refused on purpose (an unknown id is 404,
  `created_from` after `created_to` is 400);
- negative_data_rejection: the read APIs take an empty query value as "not set", so `?to=` is
  accepted where the schema says date-time;
- on the Q Business routes only, missing_required_header and unsupported_method: as AWS does, the
  contract answers a request without `Authorization` with 403 AccessDeniedException (not 401), and
  any other method with 400 ValidationException `UNKNOWN_OPERATION` (not 405)."""

import copy
import json
import os
import re
import subprocess
import sys

import pytest
import requests
from openapi_spec_validator import validate

from conftest import ADMIN_TOKEN

EXAMPLES = int(os.environ.get("HARK_FUZZ_EXAMPLES", "25"))
SEED = os.environ.get("HARK_FUZZ_SEED", "20261207")


def served_document(hark):
    r = requests.get(hark.base + "/api/1/openapi.json", timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    return r.json()


def test_the_document_is_valid_openapi_3_1_and_covers_every_surface(hark):
    doc = served_document(hark)
    validate(doc)
    assert doc["openapi"].startswith("3.1")
    operations = {(m.upper(), p) for p, item in doc["paths"].items() for m in item if m in
                  ("get", "put", "post", "patch", "delete")}
    for op in [("POST", "/api/1/ai-feedback/ingest"), ("GET", "/api/1/items"), ("GET", "/api/1/search"),
               ("GET", "/api/1/themes"), ("GET", "/api/1/chat/stats"), ("POST", "/admin/projects"),
               ("POST", "/applications/{applicationId}/conversations/{conversationId}/messages/{messageId}/feedback"),
               ("GET", "/healthz"), ("GET", "/metrics")]:
        assert op in operations, op
    assert len(operations) >= 40, len(operations)
    schemes = doc["components"]["securitySchemes"]
    assert schemes["project_basic"] == {**schemes["project_basic"], "type": "http", "scheme": "basic"}
    assert schemes["admin_bearer"]["scheme"] == "bearer"
    assert "Signature Version 4" in schemes["aws_sigv4"]["description"]
    put_feedback = doc["paths"]["/applications/{applicationId}/conversations/{conversationId}/messages/{messageId}/feedback"]["post"]
    assert put_feedback["operationId"] == "PutFeedback" and put_feedback["security"] == [{"aws_sigv4": []}]
    assert doc["paths"]["/api/1/items"]["get"]["security"] == [{"project_basic": []}]
    assert "security" not in doc["paths"]["/healthz"]["get"]


def test_the_explorer_is_served_with_its_own_assets(hark):
    r = requests.get(hark.base + "/api/docs/", timeout=30)
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert assets, r.text
    for asset in assets:
        assert not re.match(r"^(https?:)?//", asset), f"external asset {asset}"
        a = requests.get(hark.base + "/api/docs/" + asset.removeprefix("./"), timeout=30)
        assert a.status_code == 200 and a.content, asset
    init = requests.get(hark.base + "/api/docs/swagger-initializer.js", timeout=30).text
    assert "/api/1/openapi.json" in init


def narrowed(doc, hark):
    """The document with the ids of the corpus as the only valid ids."""
    doc = copy.deepcopy(doc)
    ids = {"applicationId": [hark.app_id], "app": [hark.app_id],
           "conversationId": [hark.conversation_id], "conv": [hark.conversation_id],
           "messageId": hark.message_ids, "user": [hark.user_id]}
    for path, item in doc["paths"].items():
        for op in item.values():
            for p in op.get("parameters", []) if isinstance(op, dict) else []:
                if p["in"] != "path":
                    continue
                if p["name"] == "id":
                    values = (hark.item_ids if path.startswith("/api/1/items") else
                              hark.theme_ids if path.startswith("/api/1/themes") else [hark.project_id])
                else:
                    values = ids.get(p["name"])
                if values:
                    p["schema"] = {**p["schema"], "enum": values}
    schemas = doc["components"]["schemas"]
    schemas["IngestBody"]["properties"]["source_id"]["enum"] = [hark.source_id]
    schemas["MergeBody"]["properties"]["into"]["enum"] = hark.theme_ids
    return doc


def fuzz(hark, tmp_path, paths, auth, excluded=()):
    doc_path = tmp_path / "openapi.json"
    doc_path.write_text(json.dumps(narrowed(served_document(hark), hark)))
    excluded = ["positive_data_acceptance", "negative_data_rejection", *excluded]
    cmd = [sys.executable, "-m", "schemathesis.cli", "run", str(doc_path), "--url", hark.base,
           "--include-path-regex", paths, "--max-examples", str(EXAMPLES), "--seed", SEED,
           "--checks", "all", "--exclude-checks", ",".join(excluded), "--no-color", *auth]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
    summary = out.stdout[out.stdout.rfind("SUMMARY"):]
    print(summary)
    assert out.returncode == 0, f"{out.stdout[-20000:]}\n{out.stderr[-3000:]}\n{hark.log_path.read_text()[-3000:]}"
    tested = re.search(r"Tested: (\d+)", summary)
    assert tested and int(tested.group(1)) > 0, summary
    return summary


def basic(hark):
    return ["--auth", f"{hark.auth[0]}:{hark.auth[1]}"]


def test_fuzzing_the_project_api_mcp_and_operations_finds_nothing(hark, tmp_path):
    fuzz(hark, tmp_path, r"^/(api/1/|mcp$|healthz|readyz|metrics)", basic(hark))


def test_fuzzing_the_q_business_routes_finds_nothing(hark, tmp_path):
    fuzz(hark, tmp_path, r"^/applications/", basic(hark), excluded=["missing_required_header", "unsupported_method"])


def test_fuzzing_the_admin_api_finds_nothing(hark, tmp_path):
    # Last: it rotates the project's secret key.
    fuzz(hark, tmp_path, r"^/admin/", ["--header", f"Authorization: Bearer {ADMIN_TOKEN}"])
    r = requests.get(hark.base + "/admin/projects", timeout=30)
    assert r.status_code == 401
