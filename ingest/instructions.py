"""Text in a document that addresses an AI assistant instead of a human reader.

Contracts are data. A sentence that tells "the assistant" to ignore its rules, to answer a
certain way, to drop its citations, to fetch or show a URL, or to print other documents is an
attack on whoever feeds the document to a model (prompt injection). Ingest reports such
sentences as a document warning; the prompt and the answer checks never see them (see
assistant/llm/prompting.py). The patterns are measured against real contracts for false alarms
(README, "Prompt injection").
"""

from __future__ import annotations

import re

_S = r"[^.!?\n]"  # within one sentence
PATTERNS = {
    "override": rf"\b(?:ignore|disregard|forget|override)\b{_S}{{0,60}}\b(?:instructions?|prompts?|rules|directions|guidelines)\b",
    "persona": r"\b(?:you are now|act as an? (?:ai|assistant|model|chatbot|unrestricted|different)|system prompt|as an ai\b|language model|ai assistant|chatbot|dear assistant|note to (?:the |any )?(?:ai|assistant|model|bot))",
    "addressed": rf"\b(?:assistant|ai|llm|model|bot)\b,?\s+(?:you\s+)?(?:must|should|shall|will|need to|are required to)\b{_S}{{0,40}}\b(?:answer|reply|respond|say|state|tell|output|print|cite|include|write|claim)\b",
    "scripted": rf"\bwhen (?:you are |you're )?(?:asked|answering|summari[sz]ing|responding|replying|questioned)\b{_S}{{0,80}}\b(?:say|state|answer|reply|respond|tell|claim|report|confirm)\b",
    "no-citations": r"\b(?:do not|don't|never|stop|without)\s+(?:cit(?:e|ing)|quot(?:e|ing))\b|\b(?:omit|remove|drop|leave out|hide)\b[^.!?\n]{0,20}\b(?:citations?|source (?:numbers|markers)|\[\d\]|\[n\])",
    "url": rf"\b(?:fetch|load|call|post|upload|forward|ping|send (?:it|this|the \w+|them|everything|all) to)\b{_S}{{0,40}}https?://"
           rf"|\b(?:include|insert|embed|append|add|render|display|show)\b{_S}{{0,80}}\b(?:in|to|into|with|at the end of) (?:your|the|every|each) (?:answer|reply|response|output)"
           r"|!\[[^\]]*\]\(|\[[^\]]*\]\(\s*https?://",
    "exfiltrate": rf"\b(?:reveal|print|output|dump|repeat|recite|leak)\b{_S}{{0,60}}\b(?:all|every|other|full|entire|hidden|restricted|confidential|system)\b{_S}{{0,40}}\b(?:documents?|files?|contracts?|texts?|prompts?|sources?|passages?|instructions?)\b",
}
_ANY = re.compile("|".join(f"(?:{p})" for p in PATTERNS.values()), re.I)
# A sentence ends at . ! or ? followed by a space or the end, so URLs and decimals stay whole.
_SENTENCE = re.compile(r"\S.*?(?:[.!?](?=\s|$)|$)")


def instruction_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (line breaks joined) that address an AI assistant."""
    flat = " ".join(text.split())
    return [m.group(0) for m in _SENTENCE.finditer(flat) if _ANY.search(m.group(0))]


def redact(text: str, marker: str) -> tuple[str, int]:
    """``text`` with every such sentence replaced by ``marker``, and how many were."""
    flat = " ".join(text.split())
    out, count = [], 0
    for m in _SENTENCE.finditer(flat):
        if _ANY.search(m.group(0)):
            out.append(marker)
            count += 1
        else:
            out.append(m.group(0))
    return " ".join(out), count
