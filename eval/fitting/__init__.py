"""Models fitted offline from evaluation runs and shipped as data: the abstention calibration
(calibrate.py -> assistant/answer/abstention.json) and clause-type centroids (clause_types.py ->
assistant/search/clause_types.npz)."""
