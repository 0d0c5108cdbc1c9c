"""Ingest's preparation a group ahead (retrieval.ingest_groups.ahead)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from retrieval.ingest_groups import ahead


def test_items_made_ahead_arrive_in_order_including_none_and_errors_as_values() -> None:
    items: list[object] = [1, None, ValueError("a value, not raised"), "end"]
    assert list(ahead(iter(items))) == items


def test_an_error_while_making_an_item_is_raised_where_the_consumer_takes_it() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise RuntimeError("cutting failed")

    made = ahead(failing())
    assert next(made) == 1
    with pytest.raises(RuntimeError, match="cutting failed"):
        next(made)
