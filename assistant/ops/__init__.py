"""Operations: the audit log (audit.py), log files (logs.py), offline mode for every dependency
(offline.py), terminal-safe printing (terminal.py) and spreadsheet-safe cells (spreadsheets.py)."""
