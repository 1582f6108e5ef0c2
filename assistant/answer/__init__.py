"""From passages to a checked answer: the answer path (answering.py), the unit that states the
asked fact (selection.py) and how it is written (rendering.py), document families' current values
(family_answer.py), key-term answers (term_answers.py), citation checks (citations.py) and
calibrated abstention (abstention.py with abstention.json). The text tools they share are in
assistant/text/."""
