"""Fixtures of the browser suite; they and the helpers live in harness.py."""

from harness import admin_browser, browser, hark  # noqa: F401 (pytest finds fixtures by name)
