"""Each metric on hand-made cases whose answers are known."""

from __future__ import annotations

import json

import pytest

from eval import metrics as M
from eval.dataset import DatasetError, load_dataset, select

P = M.Passage
S = M.Span


def ranked() -> list[M.Passage]:
    return [P("b", 0, 100), P("a", 100, 200), P("a", 180, 300), P("a", 900, 1000)]


def test_doc_hit_at_k():
    r = ranked()
    assert M.doc_hit(r, "a", 1) == 0.0
    assert M.doc_hit(r, "a", 2) == 1.0
    assert M.doc_hit(r, "c", 10) == 0.0
    assert M.doc_hit([], "a", 5) == 0.0


def test_span_recall_counts_share_of_spans_overlapped():
    r = ranked()
    spans = [S("a", 150, 160), S("a", 950, 960), S("a", 5000, 5010)]
    assert M.span_recall(r, spans, 1) == 0.0
    assert M.span_recall(r, spans, 2) == pytest.approx(1 / 3)
    assert M.span_recall(r, spans, 4) == pytest.approx(2 / 3)


def test_span_recall_needs_same_document_and_real_overlap():
    # Same offsets in another document do not count; touching at the boundary is not overlap.
    assert M.span_recall([P("b", 100, 200)], [S("a", 150, 160)], 1) == 0.0
    assert M.span_recall([P("a", 100, 200)], [S("a", 200, 210)], 1) == 0.0
    assert M.span_recall([P("a", 100, 200)], [S("a", 199, 210)], 1) == 1.0


def test_span_crossing_a_chunk_boundary_is_found_by_either_chunk():
    span = [S("a", 190, 230)]  # crosses the boundary between chunks 100-200 and 200-300
    assert M.span_recall([P("a", 100, 200)], span, 1) == 1.0
    assert M.span_recall([P("a", 200, 300)], span, 1) == 1.0


def test_no_gold_spans_gives_none_not_zero():
    assert M.span_recall(ranked(), [], 5) is None
    assert M.span_coverage([P("a", 0, 10)], []) is None
    assert M.span_cited([P("a", 0, 10)], []) is None
    assert M.mean_of([None, 1.0, 0.0]) == 0.5
    assert M.mean_of([None]) is None


def test_reciprocal_rank_by_span_then_by_document():
    r = ranked()
    assert M.reciprocal_rank(r, [S("a", 950, 960)], "a", 10) == pytest.approx(1 / 4)
    assert M.reciprocal_rank(r, [S("a", 950, 960)], "a", 3) == 0.0
    assert M.reciprocal_rank(r, [], "a", 10) == pytest.approx(1 / 2)  # no spans: first passage of the doc
    assert M.reciprocal_rank(r, [], None, 10) is None


def test_exact_match_and_f1_are_squad_normalised():
    assert M.exact_match("The 31 December, 2027.", ["31 december 2027"]) == 1.0
    assert M.exact_match("31 December 2028", ["31 December 2027"]) == 0.0
    assert M.token_f1("ends 31 December 2027", ["31 December 2027"]) == pytest.approx(2 * 0.75 * 1 / 1.75)
    assert M.token_f1("nothing alike", ["31 December 2027"]) == 0.0
    assert M.token_f1("x", []) is None
    # several golds: the best one counts
    assert M.token_f1("twenty per cent", ["20%", "twenty per cent"]) == 1.0


def test_span_coverage_uses_the_union_of_cited_passages():
    span = [S("a", 100, 300)]
    assert M.span_coverage([P("a", 0, 200)], span) == pytest.approx(0.5)
    assert M.span_coverage([P("a", 0, 200), P("a", 150, 250)], span) == pytest.approx(0.75)  # overlap counted once
    assert M.span_coverage([P("b", 0, 1000)], span) == 0.0
    assert M.span_cited([P("a", 0, 200)], span) == 1.0
    assert M.span_cited([P("a", 0, 190)], span) == 0.0
    # several spans: the best covered one decides
    assert M.span_coverage([P("a", 1000, 1100)], [S("a", 0, 10), S("a", 1000, 1010)]) == 1.0


def test_abstention_precision_and_recall():
    pairs = [(False, True), (False, False), (True, True), (True, False), (False, True)]
    s = M.abstention_scores(pairs)
    assert s["abstention_precision"] == pytest.approx(2 / 3)
    assert s["abstention_recall"] == pytest.approx(2 / 3)
    assert s["abstention_accuracy"] == pytest.approx(3 / 5)
    assert M.abstention_scores([(True, False)])["abstention_precision"] is None


def test_citation_validity_checks_the_facts_of_the_citing_sentence():
    passage = P("a", 0, 80, "The Term ends on 31 December 2027. The royalty is twenty per cent (20%).")
    assert M.citation_valid(M.Citation("The deal expires on December 31, 2027 [1].", passage))
    assert not M.citation_valid(M.Citation("The deal expires on 31 December 2028 [1].", passage))
    assert M.citation_valid(M.Citation("The royalty is 20% [1].", passage))
    assert not M.citation_valid(M.Citation("The royalty is 25% [1].", passage))
    # no hard facts: half of the content words must be in the passage
    assert M.citation_valid(M.Citation("The royalty term ends [1].", passage))
    assert not M.citation_valid(M.Citation("Sync in Japan needs approval from Sakura [1].", passage))


def test_dataset_loader_reads_the_documented_format(tmp_path):
    path = tmp_path / "qa.jsonl"
    rows = [
        {"qid": "q1", "question": "Who?", "answerable": True, "doc_id": "d", "gold_answer_normalized": "Nova",
         "gold_answer_spans": [{"start": 1, "end": 5, "text": "Nova", "occurrences": 2}], "category": "Parties", "tier": "dev"},
        {"qid": "q2", "question": "When?", "answerable": False},
        {"qid": "q3", "question": "What?", "answerable": True, "gold_answer": ["a", "b"]},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    qs = load_dataset(path)
    assert [q.qid for q in qs] == ["q1", "q2", "q3"]
    assert qs[0].gold_answer == ["Nova"] and qs[0].gold_answer_spans[0].end == 5
    assert qs[1].category == "uncategorised" and qs[1].gold_answer == []
    assert qs[2].gold_answer == ["a", "b"]
    assert [q.qid for q in load_dataset(path, limit=2)] == ["q1", "q2"]
    assert [q.qid for q in select(qs, ["q3", "q1"])] == ["q3", "q1"]
    with pytest.raises(DatasetError, match="not in the dataset"):
        select(qs, ["nope"])


@pytest.mark.parametrize(
    "line, message",
    [("{not json", ":1: not JSON"), ('{"qid": "x", "answerable": true}', ":1: question"),
     ('{"qid": "x", "question": "q", "answerable": true, "gold_answer_spans": [{"start": -1, "end": 2}]}', "start")],
)
def test_dataset_errors_name_the_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(DatasetError, match=message):
        load_dataset(path)


def test_demo_questions_are_a_valid_dataset_with_exact_spans():
    from assistant.demo import corpus_dir, questions_path
    from ingest.pipeline import document_text

    qs = load_dataset(questions_path())
    texts = {p.stem: document_text(p) for p in corpus_dir().iterdir()}
    answerable = [q for q in qs if q.answerable]
    assert len(answerable) >= 20 and len(qs) - len(answerable) >= 5
    for q in answerable:
        for span in q.gold_answer_spans:
            assert texts[q.doc_id][span.start:span.end] == span.text


def test_context_budget_cuts_the_last_passage_to_fit():
    r = [P("a", 0, 1500, "x" * 1500), P("a", 3000, 4500, "y" * 1500), P("a", 9000, 9100)]
    fit = M.within_budget(r, 2000)
    assert [(p.start, p.end) for p in fit] == [(0, 1500), (3000, 3500)]
    # a span beyond the cut is not counted at this budget, but is at a larger one
    assert M.span_recall(fit, [S("a", 4000, 4100)], 10) == 0.0
    assert M.span_recall(M.within_budget(r, 4000), [S("a", 4000, 4100)], 10) == 1.0
    assert M.within_budget([], 100) == []


def test_answer_holds_gold_by_its_text_or_by_all_its_facts():
    assert M.answer_holds_gold("31 December 2027 — “… the Term shall expire on 31 December 2027.” [2]", ["31 December 2027"]) == 1.0
    # facts compared canonically: another spelling of the date, the digits of a worded percentage
    assert M.answer_holds_gold("It ends on December 31, 2027 [1].", ["31 December 2027"]) == 1.0
    assert M.answer_holds_gold("“… a royalty of 28% of Net Receipts …” [4]", ["twenty-eight per cent (28%)"]) == 1.0
    assert M.answer_holds_gold("“… a royalty of 25% …” [4]", ["twenty-eight per cent (28%)"]) == 0.0
    # every fact of the gold, not one of them
    assert M.answer_holds_gold("semi-annually within 90 days [1]", ["within ninety (90) days after 30 June and 31 December 2024"]) == 0.0
    # no facts in the gold: its normalised words, whole, in order
    assert M.answer_holds_gold("The Territory is the World excluding Japan. [3]", ["the world excluding Japan"]) == 1.0
    assert M.answer_holds_gold("The Territory is the World. [3]", ["the world excluding Japan"]) == 0.0
    assert M.answer_holds_gold("Northgate Music Publishing [1]", ["Mara"]) == 0.0  # whole words only
    assert M.answer_holds_gold("anything", []) is None


def test_gold_texts_are_the_answers_and_the_span_texts_but_not_a_bare_yes():
    assert M.gold_texts(["Yes"], ["The Licensee may not assign this Agreement."]) == ["The Licensee may not assign this Agreement."]
    assert M.gold_texts(["31 December 2027"], ["31 December 2027"]) == ["31 December 2027"]
    assert M.gold_texts(["2/1/2019"], ["February 1, 2019"]) == ["2/1/2019", "February 1, 2019"]
    assert M.gold_texts([], []) == []
    # a normalised gold the document words differently is held through its span's text
    golds = M.gold_texts(["2/1/2019"], ["February 1, 2019"])
    assert M.answer_holds_gold("February 1, 2019 — “… effective as of February 1, 2019 …” [1]", golds) == 1.0


def test_answer_rows_and_aggregates_report_answer_holds_gold():
    from eval.dataset import Question
    from eval.runner import aggregate_answers, answer_row

    q = Question(qid="q", question="When does it end?", answerable=True, doc_id="d", gold_answer="31 December 2027")
    nope = Question(qid="n", question="Merch share?", answerable=False)
    held = answer_row(M.AnswerOutcome("31 December 2027 — “It ends on 31 December 2027.” [1]", False), q)
    missed = answer_row(M.AnswerOutcome("“It ends on 28 February 2027.” [1]", False), q)
    abstained = answer_row(M.AnswerOutcome("The documents do not say.", True), q)
    assert (held["answer_holds_gold"], missed["answer_holds_gold"], abstained["answer_holds_gold"]) == (1.0, 0.0, 0.0)
    assert answer_row(M.AnswerOutcome("x", True), nope)["answer_holds_gold"] is None
    overall = aggregate_answers([(q, held), (q, missed), (q, abstained), (nope, answer_row(M.AnswerOutcome("x", True), nope))])
    assert overall["answer_holds_gold"] == pytest.approx(1 / 3)
