"""The real-text corpus: unpack it, pick whole documents up to a size, stage them for ingest.

The selection depends only on the archive's file names and sizes, never on the product's
chunker, so the code before and after a change ingests exactly the same documents.
"""

from __future__ import annotations

import hashlib
import shutil
import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ARCHIVE = ROOT.parent / "shared" / "corpus" / "lawrefbook-laws.tar.xz"
LAWS = "Laws"  # the folder inside the archive
REAL_SET = ROOT / "retrieval" / "evaluation" / "real_texts"

# Sizes in passages. The selection is by characters: 3,310,346 characters made 25,268 passages
# on the code of December 2026 (131 per passage); the measured count is what results report.
# 25k is the first "before" run's selection (exactly the same 576 documents), kept as a point.
SIZES: dict[str, int | None] = {
    "quick": 2_000,
    "10k": 10_000,
    "25k": 25_384,
    "30k": 30_000,
    "full": None,
}
CHARS_PER_PASSAGE = 130
SEED = "cgt-scale-v1"  # changing it changes every selection: before/after comparisons break


@dataclass(frozen=True)
class Change:
    """A real text kept out of every selection, added while the server runs."""

    path: str  # under Laws/
    title: str  # the citation's title once it is answerable
    question: str  # a question only this document answers


# Both titles occur in no other file of the archive, so only the new document can be cited.
CHANGE_BY_API = Change(
    "行政法规/博物馆条例(2015-02-09).md", "博物馆条例", "《博物馆条例》第六条是怎么规定的？"
)
CHANGE_BY_CLI = Change(
    "行政法规/全国农业普查条例(2006-08-23).md",
    "全国农业普查条例",
    "《全国农业普查条例》第八条是怎么规定的？",
)


@dataclass(frozen=True)
class CorpusFile:
    """One text of the archive: its path under Laws/ and its length in characters."""

    path: str
    chars: int


def unpack(archive: Path, target: Path) -> Path:
    """Unpack the archive into target (a temporary folder) and return its Laws/ folder."""
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target / LAWS


def corpus_files(laws: Path) -> list[CorpusFile]:
    """Every Markdown text under Laws/, with its length, in path order."""
    return [
        CorpusFile(path.relative_to(laws).as_posix(), len(path.read_text("utf-8")))
        for path in sorted(laws.rglob("*.md"))
    ]


def development_documents(folder: Path = REAL_SET) -> list[str]:
    """The texts the development questions are about (corpus.yaml of the real-text set)."""
    corpus = yaml.safe_load((folder / "corpus.yaml").read_text("utf-8"))
    return list(corpus["documents"])


def _shuffle_key(path: str) -> str:
    return hashlib.sha256(f"{SEED}:{path}".encode()).hexdigest()


def select(
    files: Iterable[CorpusFile],
    *,
    passages: int | None,
    first: Sequence[str] = (),
    held_out: Iterable[str] = (),
    chars_per_passage: int = CHARS_PER_PASSAGE,
) -> list[CorpusFile]:
    """Whole documents up to about `passages` passages (None: all), in a fixed order.

    `first` (the development texts) come first, so the questions find their answers; then the
    rest in a seeded hash order that mixes the categories. A smaller selection is always a
    prefix of a larger one. Left out: `held_out`, index and template files, and every file
    whose name another file already has (the product derives document ids from file names).
    """
    excluded = set(held_out)
    leading_paths = list(dict.fromkeys(first))
    usable: dict[str, CorpusFile] = {}
    names: set[str] = set()
    # Of two files with one name, a development text wins, else the first path.
    for file in sorted(files, key=lambda f: (f.path not in leading_paths, f.path)):
        name = file.path.rsplit("/", 1)[-1]
        if file.path in excluded or "/" not in file.path or name.startswith("_"):
            continue
        if name in names:
            continue
        names.add(name)
        usable[file.path] = file
    leading = [usable[path] for path in leading_paths if path in usable]
    chosen = {f.path for f in leading}
    rest = sorted(
        (f for f in usable.values() if f.path not in chosen), key=lambda f: _shuffle_key(f.path)
    )
    budget = None if passages is None else passages * chars_per_passage
    selected: list[CorpusFile] = []
    total = 0
    for file in leading + rest:
        if budget is not None and total >= budget:
            break
        selected.append(file)
        total += file.chars
    return selected


def selection_digest(selected: Sequence[CorpusFile]) -> str:
    """A short hash of the selected paths: equal digests mean the same documents."""
    return hashlib.sha256("\n".join(f.path for f in selected).encode()).hexdigest()[:16]


def stage(laws: Path, selected: Iterable[CorpusFile], target: Path) -> Path:
    """Copy the selected files into target, keeping their folders; return target."""
    for file in selected:
        destination = target / file.path
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(laws / file.path, destination)
    return target


@dataclass(frozen=True)
class Question:
    """A development question and the verbatim facts a good answer quotes."""

    id: str
    text: str
    key_facts: tuple[str, ...]


def questions(folder: Path = REAL_SET, pattern: str = "part*.yaml") -> list[Question]:
    """The set's questions that stand alone (follow-ups need their previous turn), by id hash;
    `pattern` names the set's question files (the second and held-out sets: "*.yaml")."""
    found = [
        Question(item["id"], item["question"], tuple(item.get("key_facts") or ()))
        for part in sorted(folder.glob(pattern))
        if part.name != "corpus.yaml"
        for item in yaml.safe_load(part.read_text("utf-8")) or []
        if not item.get("previous")
    ]
    return sorted(found, key=lambda q: _shuffle_key(q.id))
