"""Reading the portal's pages in tests: the htmx request header and the page's language."""

from __future__ import annotations

import re

from httpx import Response

HTMX = {"HX-Request": "true"}


def page_language(page: Response) -> str:
    """The `lang` of a full page's <html> element."""
    match = re.search(r'<html lang="([^"]+)"', page.text)
    assert match, "not a full page"
    return match.group(1)
