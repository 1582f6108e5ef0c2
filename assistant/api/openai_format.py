"""A checked answer as an OpenAI chat completion: the answer's text with its citations [n] and a
"Sources" list in the message (what any OpenAI client shows), and the same citations as data
(``citations``: file, clause, page, the quoted passage) plus ``rights`` (status, reason, model)
for tools that read more than the text.

Only the final, checked answer is ever sent. With the extractive engine (the default) it exists
at once; when a model drafts the answer, the draft is checked before its first word is streamed,
so a client never receives a sentence the checks later withdraw."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator

from assistant.answer.answering import Answer, Source, describe_source

MODEL_ID = "rights-assistant"
_PRIVATE = ("path", "file_stem")  # where a file lies on the server is not the caller's business
STREAM_PIECE = re.compile(r"\S+\s*|\s+")


def citation(source: Source) -> dict:
    return {k: v for k, v in describe_source(source).items() if k not in _PRIVATE}


def cited(answer: Answer) -> list[Source]:
    """The sources the answer cites; all its sources when it cites none but answered."""
    sources = answer.cited_sources()
    return sources or ([] if answer.abstained else list(answer.sources))


def message_text(answer: Answer) -> str:
    """The answer and a numbered "Sources" list of the passages it cites."""
    text = answer.text or ""
    sources = cited(answer)
    if sources:
        lines = []
        for s in sources:
            p = s.payload
            where = ", ".join(str(b) for b in (f"§ {p['section']}" if p.get("section") else "",
                                               f"p. {p['page']}" if p.get("page") else "") if b)
            lines.append(f"[{s.number}] {p.get('file_name', '')}" + (f", {where}" if where else ""))
        text += "\n\nSources:\n" + "\n".join(lines)
    return text


def extras(answer: Answer) -> dict:
    return {"citations": [citation(s) for s in cited(answer)],
            "rights": {"status": answer.status, "reason": answer.reason, "model": answer.model,
                       "sources": [citation(s) for s in answer.sources],
                       "timings": {"retrieval_s": round(answer.retrieval_s, 4), "total_s": round(answer.total_s, 4)}}}


def _usage(question: str, text: str) -> dict:
    # words, not model tokens: the extractive engine has no tokenizer; clients only display it
    prompt, completion = len(question.split()), len(text.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def new_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def completion(answer: Answer, model: str = MODEL_ID, completion_id: str | None = None) -> dict:
    text = message_text(answer)
    return {"id": completion_id or new_id(), "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                         "finish_reason": "stop", "logprobs": None}],
            "usage": _usage(answer.question, text), **extras(answer)}


def chunks(answer: Answer, model: str = MODEL_ID, completion_id: str | None = None) -> Iterator[str]:
    """Server-sent events of a streamed completion: the role, the text in word pieces, a last
    chunk with ``finish_reason`` and the citations, then ``[DONE]``."""
    base = {"id": completion_id or new_id(), "object": "chat.completion.chunk", "created": int(time.time()),
            "model": model}

    def event(delta: dict, finish: str | None = None, **more) -> str:
        body = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **more}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    text = message_text(answer)
    yield event({"role": "assistant", "content": ""})
    for piece in STREAM_PIECE.findall(text):
        yield event({"content": piece})
    yield event({}, "stop", usage=_usage(answer.question, text), **extras(answer))
    yield "data: [DONE]\n\n"


def question_of(messages: list[dict]) -> str:
    """The question: the last user message's text (a string, or the text parts of a list)."""
    for m in reversed(messages):
        if m.get("role") == "user":
            content = m.get("content")
            if isinstance(content, list):
                return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type") == "text").strip()
            return str(content or "").strip()
    return ""
