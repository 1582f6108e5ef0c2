"""From passages to a checked answer: the answer path (answering.py), the extractive engine
(extract.py), facts and their canonical forms (facts.py), document families' current values
(family_answer.py), key-term answers (term_answers.py), citation checks (citations.py) and
calibrated abstention (abstention.py with abstention.json)."""
