"""Question sets over real published texts: find the corpus, unpack it, map paths to ids.

The texts are never copied into the repository: a set's `corpus.yaml` names files inside an
archive kept next to the repository (`../shared/corpus`, see its README), unpacked at run time
into a cache folder that later runs reuse.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.documents import SourceDocument
from knowledge.loaders import load_path
from retrieval.evaluation.questions import Question, load_questions

REAL_SET = Path(__file__).parent / "real_texts"
CORPUS_ENV = "CGT_PORTAL_CORPUS"  # the archive, its folder, or a folder it was unpacked into
CACHE_ENV = "CGT_PORTAL_CORPUS_CACHE"
_REPO = Path(__file__).resolve().parents[2]


class CorpusMissing(RuntimeError):
    """The archive of real texts is not where the set expects it; the message says where."""


@dataclass(frozen=True)
class RealSet:
    """A question set over real texts: the files it ingests and its questions."""

    folder: Path
    archive: str  # file name of the archive, e.g. lawrefbook-laws.tar.xz
    root: str  # the folder inside the archive the paths start from, e.g. Laws
    documents: tuple[str, ...]  # paths under root, as the questions' expected_documents name them
    questions: tuple[Question, ...]


def load_real_set(folder: Path = REAL_SET) -> RealSet:
    """Read a set's corpus.yaml and questions; every expected document must be in the corpus."""
    corpus = yaml.safe_load((folder / "corpus.yaml").read_text("utf-8"))
    documents = tuple(corpus["documents"])
    questions = tuple(load_questions(folder))
    unknown = sorted({d for q in questions for d in q.expected_documents} - set(documents))
    if unknown:
        raise ValueError(f"{folder.name}: expected documents not in corpus.yaml: {unknown}")
    return RealSet(folder, corpus["archive"], corpus.get("root", ""), documents, questions)


def _missing_message(archive: str, looked: list[Path]) -> str:
    places = ", ".join(str(p) for p in looked)
    return (
        f"The real-text corpus {archive} was not found (looked in {places}). It lives in "
        f"../shared/corpus next to the repository (see ../shared/corpus/README.md: the "
        f"LawRefBook/Laws snapshot); set {CORPUS_ENV} to the archive or to a folder that holds "
        "it or its unpacked copy."
    )


def find_corpus(archive: str, root: str = "") -> Path:
    """The archive file, or a folder where it is already unpacked; CorpusMissing if neither."""
    candidates: list[Path] = []
    if os.environ.get(CORPUS_ENV):
        candidates.append(Path(os.environ[CORPUS_ENV]).expanduser())
    candidates += [_REPO.parent / "shared" / "corpus", Path.cwd().parent / "shared" / "corpus"]
    for place in candidates:
        if place.is_file():
            return place
        if (place / archive).is_file():
            return place / archive
        if root and (place / root).is_dir():
            return place  # an unpacked copy
    raise CorpusMissing(_missing_message(archive, candidates))


def unpack(archive: Path, cache: Path | None = None) -> Path:
    """Unpack the archive once into a cache folder and return that folder."""
    if archive.is_dir():
        return archive
    stat = archive.stat()
    key = hashlib.sha1(f"{archive.name}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()
    base = cache or Path(os.environ.get(CACHE_ENV) or Path(tempfile.gettempdir()) / "cgt-corpus")
    target = base / f"{archive.name.split('.')[0]}-{key[:12]}"
    if (target / ".complete").exists():
        return target
    base.mkdir(parents=True, exist_ok=True)
    # Unpack beside the target and rename: two processes starting together never see half a tree.
    partial = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=base))
    with tarfile.open(archive) as tar:
        tar.extractall(partial, filter="data")
    (partial / ".complete").write_text(archive.name)
    try:
        partial.rename(target)
    except OSError:  # another process won the race: use its copy
        shutil.rmtree(partial, ignore_errors=True)
    return target


def corpus_root(real_set: RealSet, *, cache: Path | None = None) -> Path:
    """The folder the set's document paths start from, unpacking the archive if needed."""
    unpacked = unpack(find_corpus(real_set.archive, real_set.root), cache)
    root = unpacked / real_set.root if real_set.root else unpacked
    missing = [p for p in real_set.documents if not (root / p).is_file()]
    if missing:
        raise CorpusMissing(
            f"{len(missing)} files of {real_set.folder.name} are not in {unpacked}: {missing[:3]}"
        )
    return root


def load_documents(real_set: RealSet, root: Path) -> dict[str, SourceDocument]:
    """Load every file of the set as it is, with the normal loader: path -> document."""
    return {path: load_path(root / path) for path in real_set.documents}


def with_document_ids(questions: list[Question], ids: dict[str, str]) -> list[Question]:
    """The questions with corpus paths in expected_documents replaced by the ingested ids."""
    return [
        q.model_copy(update={"expected_documents": [ids[p] for p in q.expected_documents]})
        for q in questions
    ]
