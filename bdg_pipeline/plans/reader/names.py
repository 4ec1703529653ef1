"""Agencies named in a plan's text, found by the names and aliases of ``agencies.yaml`` as plans write them:
with or without diacritics or “Sở”, “Uỷ”/“Ủy”, “-”/“–”/“,”, a list after “các Sở, ngành:”."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


def words(text: str) -> list[tuple[str, int, int]]:
    """(folded word, start, end) for each word: lower case, no diacritics, “và” left out."""
    found = []
    for m in re.finditer(r"\w+", text):
        folded = unicodedata.normalize("NFD", m.group(0).lower().replace("đ", "d"))
        folded = "".join(c for c in folded if not unicodedata.combining(c))
        if folded != "va":
            found.append((folded, m.start(), m.end()))
    return found


@dataclass(frozen=True)
class Mention:
    code: str
    start: int
    end: int


class AgencyNames:
    """Finds agencies in text; ``entries`` are (code, name, aliases)."""

    def __init__(self, entries: Iterable[tuple[str, str, list[str]]]):
        self.keys: dict[tuple[str, ...], str] = {}
        for code, name, aliases in entries:
            for written in [name, *aliases]:
                for variant in self._variants(written):
                    key = tuple(w for w, _s, _e in words(variant))
                    if len(key) >= 2:
                        self.keys.setdefault(key, code)
        self.longest = max((len(k) for k in self.keys), default=1)

    @staticmethod
    def _variants(name: str) -> list[str]:
        variants = [name, name.split(",")[0]]
        bare = re.sub(r"^Sở\s+", "", name)
        if bare != name and len(words(bare)) >= 3:  # “Giáo dục và Đào tạo” alone; not “Y tế”, a common phrase
            variants.append(bare)
        variants += [re.sub(r"\s+tỉnh$", "", v, flags=re.I) for v in list(variants)]
        return variants

    def find(self, text: str) -> list[Mention]:
        tokens = words(text)
        found: list[Mention] = []
        i = 0
        while i < len(tokens):
            for size in range(min(self.longest, len(tokens) - i), 1, -1):
                key = tuple(w for w, _s, _e in tokens[i : i + size])
                if key in self.keys:
                    found.append(Mention(self.keys[key], tokens[i][1], tokens[i + size - 1][2]))
                    i += size
                    break
            else:
                i += 1
        return found

    def first(self, text: str) -> str | None:
        found = self.find(text)
        return found[0].code if found else None
