"""Full-text search over the cached messages (FTS5): query building, ranking and snippets.

What the user types is never passed to FTS5 as query syntax: words become quoted terms
(all must match; the last one also matches as a prefix while typing) and text in double
quotes becomes a phrase. Results are ranked by bm25 with subjects and names weighted up.
"""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy.engine import Connection

Json = dict[str, Any]
_WORD = re.compile(r"\w+", re.UNICODE)
_PHRASE = re.compile(r'"([^"]*)"')
START, END = "\x02", "\x03"


def _quoted(words: list[str]) -> str:
    return '"' + " ".join(words) + '"'


def build_match(text: str) -> str | None:
    """An FTS5 MATCH expression for what the user typed, or None when there is nothing to find."""
    terms: list[str] = []
    for phrase in _PHRASE.findall(text):
        words = _WORD.findall(phrase)
        if words:
            terms.append(_quoted(words))
    rest = _PHRASE.sub(" ", text)
    words = _WORD.findall(rest)
    for i, word in enumerate(words):
        last = i == len(words) - 1
        typing = last and not rest.endswith((" ", "\t", "\n")) and '"' not in text[-1:]
        terms.append(_quoted([word]) + ("*" if typing else ""))
    return " ".join(terms) if terms else None


def _snippet_html(raw: str | None) -> str:
    text = html.escape(" ".join((raw or "").split()), quote=False)
    return text.replace(START, "<b>").replace(END, "</b>")


def search(conn: Connection, text: str, limit: int = 200) -> list[Json]:
    match = build_match(text)
    if match is None:
        return []
    # Rank first over the index alone, then make snippets for the few rows shown: a
    # snippet reads and tokenizes the whole message, too costly for every match.
    ranked = conn.exec_driver_sql(
        "SELECT f.rowid, f.rank FROM message_fts f JOIN messages m ON m.seq = f.rowid "
        "WHERE message_fts MATCH ? AND m.hidden = 0 ORDER BY f.rank LIMIT ?",
        (match, limit),
    ).all()
    if not ranked:
        return []
    rank_of = {row[0]: row[1] for row in ranked}
    marks = ",".join("?" * len(rank_of))
    rows = conn.exec_driver_sql(
        f"SELECT f.rowid, m.id, m.thread_id, m.subject, "
        f"snippet(message_fts, -1, '{START}', '{END}', '…', 16) "
        f"FROM message_fts f JOIN messages m ON m.seq = f.rowid "
        f"WHERE message_fts MATCH ? AND f.rowid IN ({marks})",
        (match, *rank_of),
    ).all()
    results = [
        {"thread_id": r[2], "message_id": r[1], "subject": r[3] or "",
         "snippet": _snippet_html(r[4]), "rank": float(rank_of[r[0]])}
        for r in rows
    ]
    results.sort(key=lambda item: item["rank"])
    return results
