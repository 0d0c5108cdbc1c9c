"""Fixtures of the web tests: clients over the session's shared app, signed-in users, answers.

The users are made by `tests.support`; a module that needs another name for its staff member
or company overrides `staff_name` or `company_name`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.session import company_browser, staff_browser
from web.core.components import Components

Ask = Callable[[str], dict[str, Any]]


@pytest.fixture
def fresh_client(client: TestClient) -> Iterator[TestClient]:
    """A client of the shared app with an empty cookie jar (for language and cookie tests)."""
    # Not entered as a context manager: the shared app is already prepared, and a second
    # lifespan would re-run the start-up work in the background.
    browser = TestClient(client.app)
    yield browser
    browser.close()


@pytest.fixture
def browser(fresh_client: TestClient) -> TestClient:
    """A client of the shared app with its own cookie jar (the sign-in and CSRF tests' name)."""
    return fresh_client


@pytest.fixture(scope="session")
def ask_api(client: TestClient) -> Ask:
    """POST a new question to /api/v1/chat once per session and return the JSON answer."""
    answers: dict[str, dict[str, Any]] = {}

    def ask(question: str) -> dict[str, Any]:
        if question not in answers:
            response = client.post("/api/v1/chat", json={"question": question})
            assert response.status_code == 200, response.text
            answers[question] = response.json()
        return answers[question]

    return ask


@pytest.fixture
def staff_name() -> str:
    """The name of the `staff` fixture's member of staff."""
    return "赵工"


@pytest.fixture
def staff(components: Components, client: TestClient, staff_name: str) -> Iterator[TestClient]:
    """A signed-in member of the center's staff."""
    browser = staff_browser(components, client, name=staff_name)
    yield browser
    browser.close()


@pytest.fixture
def boss(components: Components, client: TestClient) -> Iterator[TestClient]:
    """A signed-in admin."""
    browser = staff_browser(components, client, name="admin 用户", role="admin")
    yield browser
    browser.close()


@pytest.fixture
def company_name() -> str:
    """The name of the `company` fixture's company."""
    return "深圳流程测试生物有限公司"


@pytest.fixture
def company(components: Components, client: TestClient, company_name: str) -> Iterator[TestClient]:
    """A signed-in company user."""
    browser = company_browser(components, client, company_name)
    yield browser
    browser.close()
