"""Key terms of contracts, read at ingest without a model, and a family's current terms.

Reading one document: model.py (Value, Clause, the keys), values.py and places.py (normalising),
clauses.py (the units a contract is cut into), rules/ (one module per group of keys), changes.py
(changes named by clause), terms.py (runs the rules). Showing them: storage.py (the terms
collection), family.py (current values and computed dates; dates.py does the arithmetic),
register.py (rows and deadlines), export.py (CSV, XLSX). Everything reaches users through
``RightsService`` (contract_terms, contract_register, contract_deadlines)."""
