"""The shared indicator code (``indicators.yaml``) a part measures, by the wording of the code's name against
the part's clause; when none fits well, a new code is proposed and said in “Cần xem lại”."""

from __future__ import annotations

import re
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


@dataclass(frozen=True)
class CodeChoice:
    code: str
    name: str
    known: bool
    score: float


class CodeMatcher:
    """``entries`` are (code, unit, name) of indicators.yaml."""

    THRESHOLD = 0.5  # the name's words mostly in the clause: taken as it is
    GUESS = 0.3  # nearest code below THRESHOLD: taken, and said in “Cần xem lại”

    def __init__(self, entries: list[tuple[str, str, str]]):
        self.entries = [(code, unit, name, _grams(content_words(name))) for code, unit, name in entries]

    def _best(self, text: str, unit: str, taken: set[str]) -> tuple[float, str, str] | None:
        mine = _grams(content_words(text))
        best: tuple[float, str, str] | None = None
        for code, code_unit, name, grams in self.entries:
            if code_unit != unit or code in taken or not grams:
                continue
            score = len(mine & grams) / len(grams)
            if best is None or score > best[0]:
                best = (score, code, name)
        return best

    def choose(self, texts: list[str], unit: str, labels: list[str], taken: set[str]) -> CodeChoice:
        """``texts``: the words naming the part, nearest first (before its value, after it, the whole clause)."""
        best: tuple[float, str, str] | None = None
        for text in texts:
            found = self._best(" ".join([text, *labels]), unit, taken)
            if found and found[0] >= self.THRESHOLD:
                return CodeChoice(found[1], found[2], True, found[0])
            if found and (best is None or found[0] > best[0]):
                best = found
        if best and best[0] >= self.GUESS:
            return CodeChoice(best[1], best[2], True, best[0])
        clause = texts[-1]
        return CodeChoice(self.propose(clause, labels, unit), self.name(clause, labels), False, best[0] if best else 0)

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
