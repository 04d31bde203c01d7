"""Readable word-level diffs of text, for version and history pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

TOKENS = re.compile(r"\S+\s*|\s+")  # a word with the space after it


@dataclass(frozen=True)
class Chunk:
    op: str  # "same", "added", "removed"
    text: str


def text_diff(old: str, new: str) -> list[Chunk]:
    """The words removed from ``old`` and added in ``new``, in reading order."""
    a, b = TOKENS.findall(old or ""), TOKENS.findall(new or "")
    chunks: list[Chunk] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            chunks.append(Chunk("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            chunks.append(Chunk("removed", "".join(a[i1:i2])))
        if j2 > j1:
            chunks.append(Chunk("added", "".join(b[j1:j2])))
    return chunks


def content_diff(old: list[dict], new: list[dict]) -> list[dict]:
    """Section-by-section diff of two frozen versions' content."""
    before = {s["key"]: s for s in old}
    rows = []
    for section in new:
        previous = before.get(section["key"], {}).get("text", "")
        rows.append({
            "title": section["title"],
            "changed": previous != section["text"],
            "chunks": text_diff(previous, section["text"]),
        })  # fmt: skip
    return rows
