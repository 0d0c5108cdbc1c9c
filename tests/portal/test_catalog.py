"""The service catalog and form validation."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from portal import catalog, service_specs, texts
from portal.errors import NotFound, ValidationFailed
from portal.models import Team

TODAY = date(2026, 3, 4)


class Doc:
    """A stand-in for a knowledge-base DocumentRow."""

    def __init__(self, path: Path) -> None:
        import yaml

        _, front, _ = path.read_text(encoding="utf-8").split("---", 2)
        meta = yaml.safe_load(front)
        self.id, self.title, self.language = meta["id"], meta["title"], meta["language"]
        self.category = meta["category"]
        self.extra = {k: meta[k] for k in ("service_code", "turnaround_days") if k in meta}


def test_twelve_services_each_with_fields_and_a_team() -> None:
    assert len(service_specs.SERVICE_CODES) == 12
    for spec in service_specs.SPECS.values():
        assert spec.fields and spec.team_code in service_specs.TEAMS
        names = [f.name for f in spec.fields]
        assert len(names) == len(set(names)), spec.code


def test_sync_catalog_takes_titles_and_turnaround_from_documents_and_is_idempotent(
    sessions: Any,
) -> None:
    folder = Path(__file__).parents[2] / "knowledge" / "sources" / "service"
    docs = [Doc(p) for p in sorted(folder.glob("*.md"))]
    with sessions() as s:
        catalog.sync_catalog(session=s, documents=docs)
        catalog.sync_catalog(session=s, documents=docs)
        services = catalog.list_services(session=s)
        assert len(services) == 12 and s.query(Team).count() == 6
        testing = catalog.get_service(session=s, service_code="cell_bank_characterisation")
        assert testing.turnaround_days == 20
        assert testing.name_en.startswith("Cell bank characterisation")
        assert testing.name_zh.startswith("细胞库检定服务")
        assert testing.document_id == "cell-bank-characterisation-en"


def test_unknown_service_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        catalog.get_service(session=session, service_code="nope")


def test_valid_form_is_cleaned(testing_fields: dict[str, Any]) -> None:
    clean = catalog.validate_fields(
        service_code="release_lot_testing",
        raw={**testing_fields, "deadline": "2026-03-20", "nda_required": "on", "junk": "x"},
        today=TODAY,
    )
    assert clean["sample_quantity"] == 3
    assert clean["deadline"] == "2026-03-20"
    assert clean["nda_required"] is True and clean["glp_gmp_data"] is False
    assert "junk" not in clean


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("product_type", "", "required"),
        ("product_type", "banana", "invalid_choice"),
        ("tests_requested", ["sterility", "magic"], "invalid_choice"),
        ("tests_requested", [], "required"),
        ("sample_quantity", "3.5", "not_an_integer"),
        ("sample_quantity", "0", "out_of_range"),
        ("sample_type", "x" * 201, "too_long"),
        ("deadline", "2026-02-30", "invalid_date"),
        ("deadline", "next week", "invalid_date"),
        ("deadline", "2026-03-03", "date_in_past"),
        ("report_language", ["zh", "en"], "not_a_single_value"),
        ("nda_required", "perhaps", "invalid_boolean"),
        ("sample_type", "a\x00b", "invalid_characters"),
    ],
)
def test_each_rule_gives_its_message_key(
    testing_fields: dict[str, Any], field: str, value: Any, message: str
) -> None:
    with pytest.raises(ValidationFailed) as info:
        catalog.validate_fields(
            service_code="release_lot_testing", raw={**testing_fields, field: value}, today=TODAY
        )
    assert info.value.errors == {field: message}
    assert message in texts.FIELD_ERRORS


def test_unknown_service_code_fails_validation() -> None:
    with pytest.raises(ValidationFailed) as info:
        catalog.validate_fields(service_code="nope", raw={})
    assert info.value.errors == {"service_code": "unknown_service"}


_values = st.one_of(st.text(max_size=300), st.lists(st.text(max_size=30), max_size=4))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    code=st.sampled_from(service_specs.SERVICE_CODES),
    raw=st.dictionaries(
        st.sampled_from(sorted({f.name for s in service_specs.SPECS.values() for f in s.fields}))
        | st.text(max_size=10),
        _values,
        max_size=12,
    ),
)
def test_validation_never_raises_anything_but_validation_failed(
    code: str, raw: dict[str, Any]
) -> None:
    try:
        clean = catalog.validate_fields(service_code=code, raw=raw, today=TODAY)
    except ValidationFailed as exc:
        assert exc.errors and all(m in texts.FIELD_ERRORS for m in exc.errors.values())
    else:
        assert set(clean) <= {f.name for f in service_specs.SPECS[code].fields}
