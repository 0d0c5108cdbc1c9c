"""Answer questions in process against a library a scale run kept (`--keep`), one by one.

How answers change with the library's size, without ingesting it again: the benchmark's 100
questions (the first real set's, as the run asks them) or another set's, over the whole archive
or the 10k selection kept on disk. An answer counts when it quotes every key fact.

    python -m benchmarks.scale.kept DATA_DIR [--questions FOLDER] [--output FILE] [--per-question]

A set nobody may tune on (the held-out set) is reported as totals only unless `--per-question`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from benchmarks.scale import corpus
from web.core.components import build
from web.settings import Settings


def answer_all(data_dir: Path, folder: Path) -> dict[str, dict[str, Any]]:
    """Each question's outcome: every key fact quoted, refused, the first citations."""
    parts = build(
        Settings(data_dir=data_dir, database_url=None, chroma_host=None, ingest_on_start=False)
    )
    assistant = parts.assistant
    assistant.refresh()
    if folder == corpus.REAL_SET:
        asked = corpus.questions()[:100]  # what the scale run asks
    else:
        asked = corpus.questions(folder, "*.yaml")
    out: dict[str, dict[str, Any]] = {}
    for question in asked:
        answer = assistant.answer(question.text)
        said = answer.answer + "".join(c.quote for c in answer.citations)
        out[question.id] = {
            "key_facts": bool(question.key_facts),
            "ok": bool(question.key_facts) and all(f in said for f in question.key_facts),
            "refused": answer.refused,
            "cited": [[c.document_id, c.locator] for c in answer.citations[:4]],
        }
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="a data folder kept by `--keep`")
    parser.add_argument("--questions", type=Path, default=corpus.REAL_SET)
    parser.add_argument("--output", type=Path, help="write the outcomes here (JSON)")
    parser.add_argument("--per-question", action="store_true", help="each question, not totals")
    args = parser.parse_args(argv)
    outcomes = answer_all(args.data_dir, args.questions)
    totals = {
        "answered_with_every_key_fact": sum(o["ok"] for o in outcomes.values()),
        "questions_with_key_facts": sum(o["key_facts"] for o in outcomes.values()),
        "refused": sum(o["refused"] for o in outcomes.values()),
        "questions": len(outcomes),
    }
    print(
        f"{totals['answered_with_every_key_fact']} of {totals['questions_with_key_facts']} "
        f"answers quote every key fact; {totals['refused']} of {totals['questions']} refused"
    )
    if args.output:
        report = {"totals": totals, **({"questions": outcomes} if args.per_question else {})}
        args.output.write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")


if __name__ == "__main__":
    main()
