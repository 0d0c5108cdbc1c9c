"""Fuzzing: the JSON API against its own OpenAPI schema, and property tests of the parsers.

Schemathesis generates valid and invalid calls for every operation of /openapi.json and sends
them through the ASGI app, signed in as a company user or a staff member: no call may end in a
5xx. Hypothesis checks the properties the parsers promise (chunk offsets and ids, the credit
code's check character, the typed request forms) on inputs no one would write by hand.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.chunking import chunk_document
from knowledge.documents import DocumentMeta, SourceDocument
from portal import accounts, catalog, service_specs
from portal.errors import ValidationFailed
from portal.uscc import CHARSET, check_character, validate_credit_code

FUZZ = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same calls on every run: a failure is reproducible
)


# --- schemathesis ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzzers(world):  # type: ignore[no-untyped-def]
    """A company user and a staff member used only by the fuzzer (it may sign them out)."""
    from portal import accounts

    company = world.new_company("模糊测试公司")
    with world.components.sessions() as session:
        accounts.create_user(
            session=session,
            email="fuzz-staff@center.example",
            password=world.PASSWORD,
            name="Fuzz",
            role="staff",
        )
    return {"company": company, "staff": world.sign_in("fuzz-staff@center.example")}


def test_no_api_call_ends_in_a_server_error(world, fuzzers) -> None:  # type: ignore[no-untyped-def]
    """Every operation of /openapi.json, valid and invalid calls, as a company or as staff.

    Driven from a plain test (schemathesis' pytest plugin needs a pytest older than ours).
    """
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures: list[str] = []
    for operation in operations:
        staff = operation.method.upper() != "GET" and operation.path.startswith(
            ("/api/v1/documents", "/api/v1/requests/{tracking_number}")
        )
        _fuzz(operation, fuzzers["staff" if staff else "company"], failures)
    assert not failures, failures
    # the calls reached the routes: some were accepted, some refused as invalid
    assert any(code < 300 for code in STATUSES) and any(code == 422 for code in STATUSES)
    print(f"schemathesis: {len(operations)} operations, {len(STATUSES)} calls")


STATUSES: list[int] = []


def _fuzz(operation, browser, failures: list[str]) -> None:  # type: ignore[no-untyped-def]
    cookies = dict(browser.client.cookies.items())

    @FUZZ
    @given(case=operation.as_strategy())
    def call(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(cookies=cookies, headers={"X-CSRF-Token": browser.csrf})
        STATUSES.append(response.status_code)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path}: {response.text[:200]}")

    call()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/chat", b'{"question": "\\ud800 \\u5357\\u6c99 tax"}'),  # a lone surrogate
        ("/api/v1/chat", b'{"question": "\\u0000\\u0000"}'),
        ("/api/v1/chat", b'{"question": ["a"]}'),
        ("/api/v1/chat", b'{"question": "a", "question": 1}'),
        ("/api/v1/chat", b'{"question": "' + b"a" * 5000 + b'"}'),
        ("/api/v1/chat", b"[" * 5000 + b"]" * 5000),
        ("/api/v1/chat", b"\xff\xfe\x00"),
        ("/api/v1/auth/login", b'{"email": "\\ud800@x.cn", "password": "\\udfff"}'),
        (
            "/api/v1/auth/register",
            b'{"company_name": "\\ud800", "credit_code": "\\ud800", '
            b'"contact_name": "x", "phone": "1", "email": "a@b.cn", '
            b'"password": "x"}',
        ),
    ],
)
def test_malformed_json_is_refused_with_a_4xx(world, path: str, body: bytes) -> None:  # type: ignore[no-untyped-def]
    response = world.fresh().post(path, content=body, headers={"Content-Type": "application/json"})

    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])


def test_a_lone_surrogate_in_a_signed_in_api_call_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    number = world.ids["tracking_number"]
    body = b'{"body": "\\ud800 reply"}'

    response = world.a.client.post(
        f"/api/v1/requests/{number}/messages",
        content=body,
        headers={"Content-Type": "application/json"},
    )

    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])


# --- chunking -------------------------------------------------------------------------------

META = DocumentMeta(id="fuzz-doc", title="Fuzz", language="zh", category="policy")
# Any text, including the line separators str.splitlines() knows (\v \f \x1c-\x1e \x85
# \u2028 \u2029), carriage returns, combining marks, right-to-left overrides and emoji.
_separators = st.sampled_from(["\n", "\r\n", "\r", "\v", "\f", "\x1c", "\x85", "\u2028", "\u2029"])
_pieces = st.one_of(
    st.text(min_size=1, max_size=40),
    _separators,
    st.sampled_from(
        ["# 标题", "## Section", "第一条 ", "一、", "（二）", "1. ", "- ", "\u202e", "\u0301"]
    ),
)
any_text = st.lists(_pieces, max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text, limit=st.integers(min_value=5, max_value=300))
def test_every_chunk_is_found_verbatim_at_its_offset_for_any_text(text: str, limit: int) -> None:
    chunks = chunk_document(SourceDocument(meta=META, text=text), max_chars=limit)

    for chunk in chunks:
        assert text[chunk.start : chunk.start + len(chunk.text)] == chunk.text
        assert chunk.text.strip()
    assert len({c.id for c in chunks}) == len(chunks)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text, appendix=any_text)
def test_adding_a_section_at_the_end_keeps_every_earlier_chunk_id(text: str, appendix: str) -> None:
    before = chunk_document(SourceDocument(meta=META, text=text), max_chars=120)
    grown = text + "\n\n# 附录 Appendix\n\n" + appendix
    after = chunk_document(SourceDocument(meta=META, text=grown), max_chars=120)

    assert [c.id for c in after[: len(before)]] == [c.id for c in before]


# --- credit codes ---------------------------------------------------------------------------

bodies = st.text(alphabet=CHARSET, min_size=17, max_size=17)
_FULLWIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


@given(body=bodies, position=st.integers(min_value=0, max_value=16))
def test_swapping_two_neighbouring_characters_is_always_caught(body: str, position: int) -> None:
    code = body + check_character(body)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    if swapped == code:
        return

    with pytest.raises(ValidationFailed):
        validate_credit_code(swapped)


@given(body=bodies, style=st.sampled_from(["lower", "spaces", "hyphens", "fullwidth"]))
def test_how_a_valid_code_is_typed_does_not_matter(body: str, style: str) -> None:
    code = body + check_character(body)
    typed = {
        "lower": code.lower(),
        "spaces": " ".join(code[i : i + 4] for i in range(0, 18, 4)),
        "hyphens": f"{code[:6]}-{code[6:12]}-{code[12:]}",
        "fullwidth": "".join(_FULLWIDTH.get(ch, ch) for ch in code),
    }[style]

    assert validate_credit_code(typed) == code


@settings(max_examples=300)
@given(text=st.text(max_size=40))
def test_any_text_is_either_a_valid_code_or_refused_with_a_reason(text: str) -> None:
    try:
        code = validate_credit_code(text)
    except ValidationFailed as failure:
        assert list(failure.errors) == ["credit_code"]
    else:
        assert len(code) == 18 and check_character(code[:17]) == code[17]


_serial = itertools.count(1)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies, position=st.integers(min_value=0, max_value=17), data=st.data())
def test_registration_accepts_valid_codes_and_refuses_any_typo(world, body, position, data) -> None:  # type: ignore[no-untyped-def]
    code = body + check_character(body)
    replacement = data.draw(st.sampled_from([c for c in CHARSET if c != code[position]]))
    typo = code[:position] + replacement + code[position + 1 :]
    fields = {
        "company_name": "属性测试公司",
        "contact_name": "陈静",
        "phone": "020-12345678",
        "password": world.PASSWORD,
    }

    refused = world.fresh().post(
        "/api/v1/auth/register",
        json={**fields, "credit_code": typo, "email": f"typo{next(_serial)}@example.cn"},
    )
    accepted = world.fresh().post(
        "/api/v1/auth/register",
        json={**fields, "credit_code": code, "email": f"prop{next(_serial)}@example.cn"},
    )

    assert refused.status_code == 422
    assert "credit_code" in {p["field"] for p in refused.json()["detail"]}
    if accepted.status_code == 422:  # only when hypothesis draws a code registered before
        assert accepted.json()["detail"][0]["message"] == accounts.COMPANY_REGISTERED
    else:
        assert accepted.status_code == 201, accepted.text[:300]


# --- the typed request forms ----------------------------------------------------------------

_any_value = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        ["", " ", "0", "-1", "99999999999", "2026-02-30", "yes", "on", "\x00", "\u202e"]
    ),
    st.lists(st.text(max_size=10), min_size=2, max_size=3),
)


def _form_for(spec: service_specs.ServiceSpec) -> st.SearchStrategy[dict[str, Any]]:
    def value(field: catalog.FieldSpec) -> st.SearchStrategy[Any]:
        good: st.SearchStrategy[Any]
        if field.kind in ("select", "multiselect"):
            good = st.sampled_from([c.value for c in field.choices])
        elif field.kind == "integer":
            good = st.integers(min_value=field.minimum or 0, max_value=field.maximum or 1000).map(
                str
            )
        elif field.kind == "boolean":
            good = st.sampled_from(["yes", "no"])
        elif field.kind == "date":
            good = st.dates().map(lambda d: d.isoformat())
        else:
            good = st.text(
                alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=40
            )
        return st.one_of(good, _any_value)

    return st.fixed_dictionaries({f.name: value(f) for f in spec.fields})


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_typed_form_is_stored_cleanly_or_sent_back_with_reasons(world, data) -> None:  # type: ignore[no-untyped-def]
    spec = data.draw(
        st.sampled_from(
            [s for s in service_specs.SPECS.values() if not any(a.required for a in s.attachments)]
        ),
        label="service",
    )
    fields = data.draw(_form_for(spec), label="fields")
    company = world.a
    form: list[tuple[str, str]] = [
        ("csrf_token", company.csrf),
        ("idempotency_key", f"prop-{next(_serial)}"),
        ("service_code", spec.code),
        ("title", "属性测试"),
        ("description", "表单解析。"),
    ]
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            form.append((name, item))

    body: dict[str, list[str]] = {}
    for name, value in form:
        body.setdefault(name, []).append(value)
    response = company.client.post("/requests", data=body, follow_redirects=False)

    assert response.status_code in (303, 422), (response.status_code, response.text[:600])
    try:
        clean = catalog.validate_fields(service_code=spec.code, raw=_as_raw(form, spec))
    except ValidationFailed:
        assert response.status_code == 422
        return
    assert response.status_code == 303
    number = response.headers["location"].split("/")[2].split("?")[0]
    stored = company.client.get(f"/api/v1/requests/{number}").json()["fields"]
    assert stored == clean


def _as_raw(form: list[tuple[str, str]], spec: service_specs.ServiceSpec) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for name, value in form:
        if name in {f.name for f in spec.fields}:
            raw.setdefault(name, []).append(value)
    # The web reads a single value as a string and repeated values as a list.
    return {
        f.name: (v[0] if len(v) == 1 else v) if (v := raw.get(f.name)) else "" for f in spec.fields
    }


def test_the_form_parser_survives_hostile_multipart(world) -> None:  # type: ignore[no-untyped-def]
    company = world.a
    many = [("x" * 50, "y")] * 1500  # more fields than the parser allows
    odd_names = [("\u202efield", "1"), ("a\x00b", "2"), ("files", "not a file")]
    base = [("csrf_token", company.csrf), ("service_code", "general_consultation")]

    for form in (base + many, base + odd_names):
        fields: dict[str, list[str]] = {}
        for name, value in form:
            fields.setdefault(name, []).append(value)
        response = company.client.post("/requests", data=fields, follow_redirects=False)
        assert 400 <= response.status_code < 500 or response.status_code == 303, response.text[:300]


def test_nul_characters_are_refused_in_forms_queries_and_json(world) -> None:  # type: ignore[no-untyped-def]
    company = world.new_company("NUL测试公司")
    form = {
        "csrf_token": company.csrf,
        "idempotency_key": "nul-form",
        "service_code": "general_consultation",
        "title": "a\x00b",
        "description": "x",
    }
    pdf = [("files", ("a.pdf", b"%PDF-1.4\n\x00\x00 binary is fine", "application/pdf"))]

    urlencoded = company.client.post("/requests", data=form, follow_redirects=False)
    multipart = company.client.post(
        "/requests",
        data={**form, "idempotency_key": "nul-multipart"},
        files=pdf,
        follow_redirects=False,
    )
    query = world.fresh().get("/documents?q=a%00b")
    json_body = company.client.post(
        "/api/v1/requests",
        json={"service_code": "general_consultation", "title": "a\x00", "description": "x"},
    )

    for response in (urlencoded, multipart, query, json_body):
        assert response.status_code == 422, (response.status_code, response.text[:200])
    assert company.client.get("/api/v1/requests").json() == []
    ok = company.client.post(
        "/requests",
        data={**form, "title": "正常", "idempotency_key": "nul-ok"},
        files=pdf,
        follow_redirects=False,
    )
    assert ok.status_code == 303, ok.text[:300]
