"""Text that is safe to put on an operator's terminal.

Questions, file names, document text, the audit log and settings can all hold characters a
terminal acts on instead of showing: C0 controls (ESC starts a sequence that can retitle the
window, clear the screen, move the cursor or rewrite earlier lines; CR overwrites a line),
DEL, C1 controls (U+009B is an 8-bit CSI that some terminals honour like ESC [), and the
bidirectional overrides and isolates that make a line read differently from the bytes it
holds. Lone surrogates (undecodable bytes in a file name) make printing itself fail.

``printable`` shows each of them as a visible escape (``\\x1b``, ``\\u202e``); ``dumps`` writes
JSON with the same characters escaped as ``\\uXXXX``, so ``--json`` output is as safe to view
as the tables and still decodes to the original text.
"""

from __future__ import annotations

import json
from typing import Any

_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]  # LRE RLE PDF LRO RLO, LRI RLI FSI PDI
_UNSAFE = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *_BIDI, *range(0xD800, 0xE000)]


def _visible(cp: int) -> str:
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"


_ONE_LINE = {cp: _visible(cp) for cp in _UNSAFE}
_ONE_LINE[0x09] = " "  # a tab is only spacing
_MULTI_LINE = {**_ONE_LINE, 0x0A: "\n"}
_JSON = {cp: f"\\u{cp:04x}" for cp in _UNSAFE if cp >= 0x7F}  # json.dumps escapes C0 itself


def printable(text: Any, multiline: bool = False) -> str:
    """``text`` (anything: it is made a ``str``) with every control, bidi override or isolate and
    lone surrogate shown as a visible escape; a tab becomes a space. Newlines are kept only
    when ``multiline`` (an answer's paragraphs), else shown as ``\\x0a`` so one value stays one
    line. Not markup-safe: pass the result through ``rich.markup.escape`` for rich markup."""
    return str(text).translate(_MULTI_LINE if multiline else _ONE_LINE)


def dumps(obj: Any, **kwargs: Any) -> str:
    """``json.dumps(obj, ensure_ascii=False, **kwargs)`` with DEL, C1 controls, bidi overrides
    and isolates and lone surrogates escaped as ``\\uXXXX`` (valid JSON, same decoded value)."""
    kwargs.setdefault("ensure_ascii", False)
    # Outside strings JSON holds only ASCII punctuation, digits and names, so translating the
    # whole text touches string contents alone.
    return json.dumps(obj, **kwargs).translate(_JSON)
