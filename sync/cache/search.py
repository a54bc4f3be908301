"""Full-text search over the cached messages (FTS5): query building, ranking and snippets.

What the user types is never passed to FTS5 as query syntax: words become quoted terms
(all must match; the last one also matches as a prefix while typing) and text in double
quotes becomes a phrase. Results are ranked by bm25 with subjects and names weighted up.

A query matching up to RANK_WINDOW messages is ranked by bm25. A common word can match
most of a mailbox, and bm25 then costs a pass over every match (for its term weights)
before it ranks anything; such a query instead ranks its RANK_WINDOW newest matches by
where the words occur (subject, then sender, then attachment names, then only the body),
newest first within each: what an inbox user looks for in a flood of matches. Snippets
are cut in Python from the rows shown, instead of FTS5 re-reading each message.
"""

from __future__ import annotations

import html
import re
from typing import Any

from sync.cache.connection import Connection
from sync.cache.mirror import select_in_json
from sync.cache.rows import SearchHit

Json = dict[str, Any]
RANK_WINDOW = 500
WEIGHTS = "8.0, 1.0, 4.0, 2.0"  # subject, body, sender name, attachment names
SNIPPET_CHARS = 160
_WORD = re.compile(r"\w+", re.UNICODE)
_PHRASE = re.compile(r'"([^"]*)"')


def _quoted(words: list[str]) -> str:
    return '"' + " ".join(words) + '"'


def _terms(text: str) -> list[tuple[list[str], bool]]:
    """(words, is prefix) for each term: phrases first, then single words."""
    terms: list[tuple[list[str], bool]] = []
    for phrase in _PHRASE.findall(text):
        words = _WORD.findall(phrase)
        if words:
            terms.append((words, False))
    rest = _PHRASE.sub(" ", text)
    words = _WORD.findall(rest)
    for i, word in enumerate(words):
        typing = i == len(words) - 1 and not rest.endswith((" ", "\t", "\n")) \
            and not text.endswith('"')
        terms.append(([word], typing))
    return terms


def build_match(text: str) -> str | None:
    """An FTS5 MATCH expression for what the user typed, or None when there is nothing to find."""
    terms = [_quoted(words) + ("*" if prefix else "") for words, prefix in _terms(text)]
    return " ".join(terms) if terms else None


def _highlighter(text: str) -> re.Pattern[str]:
    parts = []
    for words, prefix in _terms(text):
        body = r"\W+".join(re.escape(w) for w in words)
        parts.append(r"\b" + body + (r"\w*" if prefix else r"\b"))
    return re.compile("|".join(parts), re.IGNORECASE)


def snippet(text: str, pattern: re.Pattern[str], width: int = SNIPPET_CHARS) -> str | None:
    """HTML: a window of `text` around its first match, matches in <b>; None if no match."""
    flat = " ".join(text.split())
    first = pattern.search(flat)
    if first is None:
        return None
    start = max(0, first.start() - width // 3)
    if start:
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < first.start() else start
    end = min(len(flat), start + width)
    window = flat[start:end]
    out, last = [], 0
    for found in pattern.finditer(window):
        out.append(html.escape(window[last:found.start()], quote=False))
        out.append("<b>" + html.escape(found.group(), quote=False) + "</b>")
        last = found.end()
    out.append(html.escape(window[last:], quote=False))
    return ("…" if start else "") + "".join(out) + ("…" if end < len(flat) else "")


def _ranked(conn: Connection, match: str, pattern: re.Pattern[str],
            limit: int) -> list[tuple[int, float]]:
    """(rowid, rank) of the best `limit` matches, best (lowest rank) first."""
    newest = [r[0] for r in conn.json_rows(
        "SELECT json_group_array(json_array(rowid) ORDER BY rowid DESC) FROM ("
        "SELECT rowid FROM message_fts WHERE message_fts MATCH ? ORDER BY rowid DESC "
        "LIMIT ?)", (match, RANK_WINDOW + 1))]
    if len(newest) <= RANK_WINDOW:
        # (bm25 may not be an aggregate's argument: the subquery, kept from being flattened
        # by its LIMIT, computes it)
        rows = conn.json_rows(
            "SELECT json_group_array(json_array(r, rank)) FROM ("
            f"SELECT rowid AS r, bm25(message_fts, {WEIGHTS}) AS rank FROM message_fts "
            "WHERE message_fts MATCH ? LIMIT -1)", (match,))
        return sorted(((r[0], r[1]) for r in rows), key=lambda r: r[1])[:limit]
    places = select_in_json(
        conn, "SELECT json_group_array(json_array(m.seq, t.subject, coalesce(p.name, ''), "
        "m.attachment_names)) FROM messages m JOIN threads t ON t.id = m.thread_id "
        "LEFT JOIN people p ON p.id = m.sender_id WHERE m.seq IN ({ids})", newest[:-1])
    top = newest[0] + 1
    scored = []
    for seq, subject, name, attachment_names in places:
        weight = (8 * bool(pattern.search(subject or "")) + 4 * bool(pattern.search(name))
                  + 2 * bool(pattern.search(attachment_names or "")))
        scored.append((seq, -weight - seq / top))  # newer breaks ties; like bm25, lower wins
    return sorted(scored, key=lambda r: r[1])[:limit]


def search(conn: Connection, text: str, limit: int = 200) -> list[SearchHit]:
    match = build_match(text)
    if match is None:
        return []
    hidden = conn.exec_driver_sql("SELECT count(*) FROM messages WHERE hidden = 1").scalar_one()
    pattern = _highlighter(text)
    ranked = _ranked(conn, match, pattern, limit + hidden)
    if not ranked:
        return []
    rows = {r[0]: r[1:] for r in select_in_json(
        conn, "SELECT json_group_array(json_array(m.seq, m.id, m.thread_id, t.subject, "
        "m.body_text, m.attachment_names)) FROM messages m JOIN threads t ON t.id = m.thread_id "
        "WHERE m.hidden = 0 AND t.hidden = 0 AND m.seq IN ({ids})",
        [seq for seq, _ in ranked])}
    results: list[SearchHit] = []
    for seq, rank in ranked:
        if seq not in rows:
            continue
        message_id, thread_id, subject, body, attachment_names = rows[seq]
        shown = (snippet(body or "", pattern) or snippet(attachment_names or "", pattern)
                 or html.escape(" ".join((body or "").split())[:SNIPPET_CHARS], quote=False))
        results.append({"thread_id": thread_id, "message_id": message_id,
                        "subject": subject or "", "snippet": shown, "rank": float(rank)})
        if len(results) == limit:
            break
    return results
