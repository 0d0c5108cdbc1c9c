"""Fixtures of the web tests: clients over the session's shared app, and a cache of answers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

Ask = Callable[[str], dict[str, Any]]


@pytest.fixture
def fresh_client(client: TestClient) -> Iterator[TestClient]:
    """A client of the shared app with an empty cookie jar (for language and cookie tests)."""
    # Not entered as a context manager: the shared app is already prepared, and a second
    # lifespan would re-run the start-up work in the background.
    browser = TestClient(client.app)
    yield browser
    browser.close()


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
