"""Text tools every reader of a contract shares (answers, key terms, the evaluation): units a
quote is made of (units.py), facts and their canonical forms (facts.py: the one ``Fact``), the
kinds of fact a question asks for (kinds.py, questions.py) and how documents word a change to an
earlier one (changes.py). Pure functions over strings; no model, no store."""
