"""Keyword search in the database engine: SQLite FTS5, or PostgreSQL full-text search.

Workers hold no keyword index of their own (issue 11): every passage's distinct jieba tokens
(and each of its units' tokens, for composition) are written once, at ingest, to
`rt_passage_tokens`, which the engine indexes — an FTS5 table over it on
SQLite, a GIN-indexed `tsvector` column on PostgreSQL — and the number of passages using each
token is kept in `rt_terms`. A search asks the engine for a pool of candidates by its own
ranking (FTS5's bm25(), PostgreSQL's ts_rank), then scores every candidate with the same BM25
the in-memory index used before (distinct tokens, k1 1.5, b 0.75, Lucene idf) from those
counts, so both engines rank alike and a change is searchable the moment its transaction
commits.

Tokens reach both engines as they are: FTS5 splits the space-joined tokens with `unicode61`
(identifier characters such as § and 〔〕 kept inside tokens), PostgreSQL builds the tsvector
with `array_to_tsvector`, which takes lexemes without parsing them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from retrieval.tables import PassageTokensRow, TermRow

FTS_TABLE = "rt_fulltext"
_TERMS = TermRow.__tablename__
_ADD_TO_COUNT = text(  # the same text on SQLite and PostgreSQL
    f"INSERT INTO {_TERMS} (term, passages) VALUES (:term, :passages) "
    f"ON CONFLICT (term) DO UPDATE SET passages = {_TERMS}.passages + excluded.passages"
)
# The FTS5 table over rt_passage_tokens (external content: the tokens are stored once).
SQLITE_FTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "tokens, content='rt_passage_tokens', content_rowid='id', "
    "tokenize=\"unicode61 remove_diacritics 0 tokenchars '§〔〕.%-'\")"
)
POSTGRES_TSV = (
    "ALTER TABLE rt_passage_tokens ADD COLUMN IF NOT EXISTS tsv tsvector GENERATED ALWAYS AS "
    "(array_to_tsvector(string_to_array(tokens, ' '))) STORED"
)
POSTGRES_GIN = (
    "CREATE INDEX IF NOT EXISTS ix_rt_passage_tokens_tsv ON rt_passage_tokens USING gin (tsv)"
)

# Totals kept in rt_terms under names no token can have (tokens never contain spaces).
PASSAGES = " passages"
LENGTH = " length"  # the sum over passages of their distinct tokens (for BM25's average)

K1, B = 1.5, 0.75
POOL = 120  # candidates the engine ranks before BM25 scores them (twice the hybrid's 60)
COMMON = 0.10  # a token in more than this share of the passages does not select candidates
COMMON_PASSAGES = 5000  # ... when that is more than this many passages


@dataclass(frozen=True)
class TokenHit:
    """A passage found by keyword search, its BM25 score and its distinct tokens."""

    chunk_id: str
    document_id: str
    score: float
    tokens: frozenset[str]


@dataclass(frozen=True)
class Totals:
    """How many passages the engine holds and their average number of distinct tokens."""

    passages: int
    average_length: float


@dataclass(frozen=True)
class PassageTokens:
    """What the keyword index stores of one passage."""

    chunk_id: str
    document_id: str
    tokens: Sequence[str]  # every token the passage is found by
    units: Sequence[Sequence[str]] = ()  # each quotable unit's tokens


def add(session: Session, passages: Iterable[PassageTokens]) -> int:
    """Index these passages; return how many were added."""
    rows = [
        PassageTokensRow(
            chunk_id=p.chunk_id,
            document_id=p.document_id,
            tokens=_join(dict.fromkeys(p.tokens)),
            unit_tokens="\n".join(_join(dict.fromkeys(u)) for u in p.units),
        )
        for p in passages
    ]
    if not rows:
        return 0
    session.add_all(rows)
    session.flush()
    if _dialect(session) == "sqlite":
        session.execute(
            text(f"INSERT INTO {FTS_TABLE}(rowid, tokens) VALUES (:id, :tokens)"),
            [{"id": r.id, "tokens": r.tokens} for r in rows],
        )
    _count(session, [set(r.tokens.split()) for r in rows], sign=1)
    return len(rows)


def remove_documents(session: Session, document_ids: Sequence[str]) -> int:
    """Take every passage of these documents out of the index; return how many."""
    if not document_ids:
        return 0
    return _remove(session, PassageTokensRow.document_id.in_(list(document_ids)))


def remove(session: Session, chunk_ids: Sequence[str]) -> int:
    """Take these passages out of the index (unknown ids are ignored); return how many."""
    removed = 0
    ids = list(chunk_ids)
    for start in range(0, len(ids), 500):
        removed += _remove(session, PassageTokensRow.chunk_id.in_(ids[start : start + 500]))
    return removed


def _remove(session: Session, where: ColumnElement[bool]) -> int:
    rows = session.execute(select(PassageTokensRow.id, PassageTokensRow.tokens).where(where)).all()
    if not rows:
        return 0
    if _dialect(session) == "sqlite":  # an external-content FTS5 table is told the old text
        session.execute(
            text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, tokens) VALUES ('delete', :id, :t)"),
            [{"id": r.id, "t": r.tokens} for r in rows],
        )
    session.execute(delete(PassageTokensRow).where(PassageTokensRow.id.in_([r.id for r in rows])))
    _count(session, [set(r.tokens.split()) for r in rows], sign=-1)
    return len(rows)


def clear(session: Session) -> None:
    """Empty the index (before a rebuild)."""
    if _dialect(session) == "sqlite":
        session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')"))
    session.execute(delete(PassageTokensRow))
    session.execute(delete(TermRow))


def indexed_chunk_ids(session: Session) -> set[str]:
    """Ids of every indexed passage (maintenance: compare with the registry)."""
    return set(session.scalars(select(PassageTokensRow.chunk_id)))


def _count(session: Session, token_sets: list[set[str]], *, sign: int) -> None:
    """Add (or take away) passages to the per-token counts and the totals, in one statement."""
    counts: Counter[str] = Counter()
    for tokens in token_sets:
        counts.update(tokens)
    counts[PASSAGES] = len(token_sets)
    counts[LENGTH] = sum(len(tokens) for tokens in token_sets)
    # Sorted: concurrent ingests take the rows' locks in one order (no deadlock on PostgreSQL).
    # One plain statement run for every row (executemany): a multi-row VALUES statement is
    # compiled anew for every length, which cost ingest more than the counting itself.
    values = [{"term": t, "passages": sign * n} for t, n in sorted(counts.items())]
    session.execute(_ADD_TO_COUNT, values)
    if sign < 0:
        session.execute(delete(TermRow).where(TermRow.passages <= 0))


# -- reading ---------------------------------------------------------------------------------


def totals(session: Session) -> Totals:
    """How many passages are indexed, and their average number of distinct tokens."""
    found: dict[str, int] = {
        term: count
        for term, count in session.execute(
            select(TermRow.term, TermRow.passages).where(TermRow.term.in_([PASSAGES, LENGTH]))
        )
    }
    passages = max(0, found.get(PASSAGES, 0))
    return Totals(passages, found.get(LENGTH, 0) / passages if passages else 0.0)


def frequencies(session: Session, tokens: Iterable[str]) -> dict[str, int]:
    """How many passages use each token (tokens no passage uses are left out)."""
    wanted = sorted(set(tokens))
    out: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(TermRow.term, TermRow.passages).where(
                TermRow.term.in_(wanted[start : start + 500])
            )
        )
        out.update((term, count) for term, count in rows)
    return out


def any_passage_has_all(session: Session, tokens: Sequence[str]) -> bool:
    """Whether one passage uses every one of these tokens."""
    terms = sorted(set(tokens))
    if not terms:
        return False
    if len(frequencies(session, terms)) < len(terms):  # a token nobody uses: no need to ask
        return False
    found = _match(session, terms, "AND", limit=1, documents=None)
    return bool(found)


def search(
    session: Session,
    tokens: Sequence[str],
    k: int,
    *,
    stats: Totals,
    df: dict[str, int],
    documents: Sequence[str] | None = None,
    pool: int = POOL,
) -> list[TokenHit]:
    """The k passages with the best BM25 score for these query tokens (positive scores only).

    `stats` and `df` (passages per token, see `totals` and `frequencies`) are the caller's,
    who may remember them. `documents` limits the search to those documents' passages.
    Repeated query tokens count as often as they occur, as the in-memory BM25 did.
    """
    df = {t: n for t, n in df.items() if n > 0}
    if not tokens or not stats.passages or not df:
        return []
    rows = _match(session, _selective(df, stats.passages), "OR", limit=pool, documents=documents)
    idf = {t: math.log(1 + (stats.passages - n + 0.5) / (n + 0.5)) for t, n in df.items()}
    query = [t for t in tokens if t in idf]
    hits = []
    for chunk_id, document_id, joined in rows:
        distinct = frozenset(joined.split(" "))
        norm = K1 * (1 - B + B * len(distinct) / (stats.average_length or 1.0))
        score = sum(idf[t] * (K1 + 1) / (1 + norm) for t in query if t in distinct)
        if score > 0:
            hits.append(TokenHit(chunk_id, document_id, score, distinct))
    hits.sort(key=lambda h: (-h.score, h.chunk_id))
    return hits[:k]


def _selective(df: dict[str, int], passages: int) -> list[str]:
    """The query tokens worth asking the engine for: not those of long posting lists.

    A word most articles use (应当, 规定) adds little to BM25 (idf below 2.4 at 10 %) but makes
    the engine walk a long list of passages; a passage matching only such words ranks below
    those matching a rarer one. Only lists longer than COMMON_PASSAGES are left out (the cost
    is in their length: in a small library every word is asked for, as before). When every
    token is that common, the two rarest are asked for.
    """
    limit = max(COMMON * passages, COMMON_PASSAGES)
    rare = sorted(t for t, n in df.items() if n <= limit)
    return rare or sorted(df, key=lambda t: (df[t], t))[:2]


def _match(
    session: Session,
    terms: Sequence[str],
    operator: str,
    *,
    limit: int,
    documents: Sequence[str] | None,
) -> list[tuple[str, str, str]]:
    """(chunk id, document id, tokens) of passages matching the terms, best first by the engine."""
    params: dict[str, object] = {"limit": limit}
    where_documents = ""
    if documents:
        names = [f"d{i}" for i in range(len(documents))]
        params.update(zip(names, documents, strict=True))
        where_documents = f" AND t.document_id IN ({', '.join(':' + n for n in names)})"
    if _dialect(session) == "postgresql":
        joiner = " | " if operator == "OR" else " & "
        params["q"] = joiner.join(_pg_lexeme(t) for t in terms)
        sql = (
            "SELECT t.chunk_id, t.document_id, t.tokens FROM rt_passage_tokens t "
            "WHERE t.tsv @@ CAST(:q AS tsquery)"
            + where_documents
            + " ORDER BY ts_rank(t.tsv, CAST(:q AS tsquery)) DESC, t.id LIMIT :limit"
        )
    else:
        params["q"] = f" {operator} ".join(_fts_string(t) for t in terms)
        sql = (
            f"SELECT t.chunk_id, t.document_id, t.tokens FROM {FTS_TABLE} f "
            "JOIN rt_passage_tokens t ON t.id = f.rowid "
            f"WHERE {FTS_TABLE} MATCH :q" + where_documents + " ORDER BY f.rank LIMIT :limit"
        )
    return [(row[0], row[1], row[2]) for row in session.execute(text(sql), params)]


def _fts_string(token: str) -> str:
    """An FTS5 string literal: the token in double quotes, inner quotes doubled."""
    return '"' + token.replace('"', '""') + '"'


def _pg_lexeme(token: str) -> str:
    """A tsquery lexeme taken as it is: single-quoted, quotes and backslashes escaped."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _join(tokens: Iterable[str]) -> str:
    return " ".join(t for t in tokens if t and not any(c.isspace() for c in t))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name
