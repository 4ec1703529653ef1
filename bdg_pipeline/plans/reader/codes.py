"""The shared indicator code (``indicators.yaml``) a part measures, by the wording of the code's name against
the part's clause; when none fits well, a new code is proposed and said in “Cần xem lại”."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .names import words

# words every chỉ tiêu uses: they tell no quantity from another
COMMON_WORDS = """
ty le so cac cua duoc co trong tong nguoi nam nu dat tu tro len nhat it den vao phan dau muc tieu chi nhung
la voi cho ve o tai theo tren duoi khoang muc giam tang con xuong mot nhu lan toi thieu da bao dam dam hang moi
"""
COMMON = frozenset(COMMON_WORDS.split())


def content_words(text: str) -> list[str]:
    """Words that name a quantity, with “sỹ”/“sĩ”, “kỹ”/“kĩ” spelt one way."""
    found = []
    for w, _s, _e in words(text):
        if w in COMMON or w.isdigit():
            continue
        found.append(w[:-1] + "i" if len(w) == 2 and w.endswith("y") else w)
    return found


def _grams(tokens: list[str]) -> set[str]:
    return set(tokens) | {f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)}


def _spelt(text: str) -> set[str]:
    """Words as written, diacritics kept: folded, “năm” (year) would read as “nam” (male)."""
    return set(re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()))


@dataclass(frozen=True)
class CodeChoice:
    code: str
    name: str
    known: bool
    score: float
    rival: str = ""  # the name of another code that fits (almost) as well: the choice is not clear


class CodeMatcher:
    """``entries`` are (code, unit, name) of indicators.yaml."""

    THRESHOLD = 0.5  # the name's words mostly in the clause: taken as it is
    GUESS = 0.3  # nearest code below THRESHOLD: taken, and said in “Cần xem lại”
    CLEAR = 0.75  # above this the choice is clear whatever comes second
    MARGIN = 0.2  # below CLEAR, a second code this close makes the choice one to review

    def __init__(self, entries: list[tuple[str, str, str]]):
        self.entries = [(code, unit, name, _grams(content_words(name)), _spelt(name)) for code, unit, name in entries]
        self.names = {code: name for code, _unit, name in entries}

    def _fits(self, text: str, unit: str, taken: set[str]) -> dict[str, tuple[float, float]]:
        """Per code: the share of its name's quantity words in ``text``, then the share of all its name's words
        (the sex and the ages included: “nữ” against “nam”, “15 đến 60” against “18 - 40”) to tell ties apart."""
        mine = _grams(content_words(text))
        every = _spelt(text)
        return {
            code: (round(len(mine & grams) / len(grams), 2), round(len(every & name_words) / len(name_words), 2))
            for code, code_unit, _name, grams, name_words in self.entries
            if code_unit == unit and code not in taken and grams
        }

    @staticmethod
    def _ranked(fits: dict[str, tuple[float, float]]) -> list[str]:
        # ranked by both shares: a short name (“Báo của tỉnh …”) must not win on its few words alone
        return sorted(fits, key=lambda c: (fits[c][0] + fits[c][1], fits[c]), reverse=True)

    def choose(self, texts: list[str], unit: str, labels: list[str], taken: set[str]) -> CodeChoice:
        """``texts``: the words naming the part, nearest first (before its value, after it, the whole clause)."""
        best: tuple[dict[str, tuple[float, float]], list[str]] | None = None
        for text in texts:
            fits = self._fits(" ".join([text, *labels]), unit, taken)
            ranked = self._ranked(fits)
            if ranked and fits[ranked[0]][0] >= self.THRESHOLD:
                return self._choice(fits, ranked)
            if ranked and (best is None or fits[ranked[0]][0] > best[0][best[1][0]][0]):
                best = (fits, ranked)
        top = best[0][best[1][0]][0] if best else 0
        if best and top >= self.GUESS:
            return self._choice(*best)
        clause = texts[-1]
        return CodeChoice(self.propose(clause, labels, unit), self.name(clause, labels), False, top)

    def _choice(self, fits: dict[str, tuple[float, float]], ranked: list[str]) -> CodeChoice:
        code = ranked[0]
        score = fits[code][0]
        tied = next((self.names[c] for c, fit in fits.items() if c != code and fit == fits[code]), "")
        second = ranked[1] if len(ranked) > 1 else None
        near = self.names[second] if second and score < self.CLEAR and fits[second][0] >= score - self.MARGIN else ""
        return CodeChoice(code, self.names[code], True, score, tied or near)

    @staticmethod
    def propose(clause: str, labels: list[str], unit: str) -> str:
        tokens = content_words(" ".join([*labels, clause]))[:6]
        suffix = {"percent": "share", "yes_no": "done"}.get(unit, unit)
        return re.sub(r"[^a-z0-9_]", "", "_".join([*tokens, suffix])) or f"new_{suffix}"

    @staticmethod
    def name(clause: str, labels: list[str]) -> str:
        text = re.sub(r"^(Phấn đấu|Phần đấu|Đến năm \d{4},?|Từ năm \d{4} trở đi)\s*", "", clause.strip(), flags=re.I)
        text = re.split(r"\s+(?:đạt|vào năm|đến năm)\s+", text)[0]
        name = " — ".join([*labels, text]) if labels else text
        return name[:150].rstrip(" ,.;")
