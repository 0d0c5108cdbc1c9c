"""Checks that a page is inert: no element, attribute or URL a payload tried to create."""

from __future__ import annotations

from urllib.parse import urlsplit

import lxml.html


def own_static(src: str) -> bool:
    """A script file of this site: /static/..., relative or on the test server's own host."""
    parts = urlsplit(src)
    return parts.netloc in ("", "testserver") and parts.path.startswith("/static/")


def assert_inert(html: str, where: str) -> None:
    """No script, handler, svg/img or javascript: URL came from a payload; no template ran."""
    tree = lxml.html.fromstring(html)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in ("iframe", "object", "embed", "base"), (where, element.tag)
        if element.tag == "script":
            assert own_static(element.get("src", "")), where
            assert not (element.text or "").strip(), where
        if element.tag == "img":
            assert element.get("src") != "x", where
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (where, element.tag, name)
            if name in ("href", "src", "action", "formaction", "hx-get", "hx-post"):
                assert not value.strip().lower().startswith("javascript:"), (where, name, value)
    assert "xssxss" not in html and "49xss" not in html, where


def shown_as_text(html: str, *markers: str) -> bool:
    """Whether the page's visible text or form values show the payload's markers."""
    tree = lxml.html.fromstring(html)
    text = tree.text_content() + " ".join(
        str(v) for el in tree.iter() if isinstance(el.tag, str) for v in el.attrib.values()
    )
    return all(marker in text for marker in markers)
