"""Answers for an evaluation run, through the product's own ``Answerer``."""

from __future__ import annotations

from assistant.answer.answering import Answerer
from eval.dataset import Question
from eval.metrics import AnswerOutcome, Citation, Passage


def outcome_of(answer) -> AnswerOutcome:
    by_number = {s.number: s for s in answer.sources}
    citations = []
    for number, claim in answer.cited:
        source = by_number.get(number)
        if source is None:
            continue
        c = source.hit.chunk
        citations.append(Citation(claim, Passage(c.stem, c.start, c.end, source.text)))
    return AnswerOutcome(
        text=answer.text,
        abstained=answer.abstained,
        citations=citations,
        ttft_s=answer.ttft_s,
        total_s=answer.total_s,
        tokens=answer.tokens,
        status=answer.status,
    )


def answer_factory_for(settings):
    """``service -> (question -> AnswerOutcome)``; the chat model loads once per run."""

    def factory(service):
        answerer = Answerer(service)

        def answer(q: Question) -> AnswerOutcome:
            return outcome_of(answerer.ask(q.question))

        return answer

    return factory
