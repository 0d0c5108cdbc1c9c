"""Tracking numbers."""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session, sessionmaker

from portal.tracking import next_tracking_number


def test_numbers_are_sequential_per_year_and_formatted(session: Session) -> None:
    numbers = [next_tracking_number(session=session, year=2026) for _ in range(3)]
    other = next_tracking_number(session=session, year=2027)
    session.commit()
    assert numbers == ["GBA-CGT-2026-000001", "GBA-CGT-2026-000002", "GBA-CGT-2026-000003"]
    assert other == "GBA-CGT-2027-000001"


def test_a_rolled_back_number_is_given_back(session: Session) -> None:
    next_tracking_number(session=session, year=2026)
    session.commit()
    next_tracking_number(session=session, year=2026)
    session.rollback()
    assert next_tracking_number(session=session, year=2026) == "GBA-CGT-2026-000002"


def test_concurrent_transactions_get_distinct_gap_free_numbers(
    sessions: sessionmaker[Session],
) -> None:
    got: list[str] = []
    barrier = threading.Barrier(6)

    def worker() -> None:
        with sessions() as s:
            barrier.wait()
            for _ in range(5):
                got.append(next_tracking_number(session=s, year=2026))
                s.commit()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == [f"GBA-CGT-2026-{n:06d}" for n in range(1, 31)]
