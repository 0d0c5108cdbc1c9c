"""What a test needs to fill in the portal's forms: the password, a PDF, CSRF and credit codes."""

from __future__ import annotations

import itertools
import re

from portal.uscc import check_character

PASSWORD = "correct horse battery"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_serial = itertools.count(1)


def csrf_token(page: str) -> str:
    """The CSRF token in a page's hidden form field."""
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert match, "no CSRF field on the page"
    return match.group(1)


def credit_code(prefix: str = "91440400MT") -> str:
    """A fresh, valid unified social credit code (unique in this test process per prefix)."""
    body = f"{prefix}{next(_serial):07d}"
    return body + check_character(body)


def unique_email(kind: str, domain: str = "example.cn") -> str:
    """An address no other user of this test process has."""
    return f"{kind}{next(_serial)}-{id(object())}@{domain}"
