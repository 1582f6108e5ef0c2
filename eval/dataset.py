"""The gold question set: JSON lines, one question per line (format in the README).

``../shared/data/cuad-dev/qa.jsonl`` is an instance; so is the demo corpus's question file. Extra
fields are kept but ignored, so a richer file of the same form needs no change here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from ingest.errors import UserError


class DatasetError(UserError, ValueError):
    pass


class GoldSpan(BaseModel):
    model_config = ConfigDict(extra="ignore")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str = ""


class Question(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    qid: str
    question: str = Field(min_length=1)
    answerable: bool
    doc_id: str | None = None
    gold_answer_spans: list[GoldSpan] = Field(default_factory=list)
    gold_answer: list[str] = Field(
        default_factory=list, validation_alias=AliasChoices("gold_answer", "gold_answer_normalized")
    )
    category: str = "uncategorised"

    @field_validator("gold_answer", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            return [value] if value.strip() else []
        return [str(v) for v in value if str(v).strip()]

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: Any) -> str:
        return str(value) if value else "uncategorised"


def load_dataset(path: Path, limit: int | None = None) -> list[Question]:
    """Questions in file order; a malformed line is an error naming the line, never skipped."""
    if not path.is_file():
        raise DatasetError(f"dataset not found: {path}")
    questions: list[Question] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                q = Question.model_validate(json.loads(line))
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path}:{number}: not JSON ({exc.msg})") from None
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(x) for x in first["loc"])
                raise DatasetError(f"{path}:{number}: {where}: {first['msg']}") from None
            if q.qid in seen:
                raise DatasetError(f"{path}:{number}: duplicate qid {q.qid!r}")
            seen.add(q.qid)
            questions.append(q)
            if limit and len(questions) >= limit:
                break
    if not questions:
        raise DatasetError(f"{path}: no questions")
    return questions


def select(questions: list[Question], qids: list[str]) -> list[Question]:
    """A fixed slice by qid (the CI gate); a qid missing from the file is an error."""
    by_id = {q.qid: q for q in questions}
    missing = [q for q in qids if q not in by_id]
    if missing:
        raise DatasetError(f"{len(missing)} slice qid(s) not in the dataset, e.g. {missing[0]!r}")
    return [by_id[q] for q in qids]
