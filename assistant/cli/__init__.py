"""The ``rights`` command line: app.py assembles the command groups (documents.py, contracts.py,
catalog.py, admin.py) over common.py (settings, one-red-line errors) and render.py (output)."""
