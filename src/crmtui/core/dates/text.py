"""Folding typed date text into the one spelling the grammar reads.

Full-width forms, case and spacing are folded; traditional characters and Cantonese day
words become their simplified Mandarin forms (下週二 -> 下周二, 聽日 -> 明天); English number
words become digits ("eight tonight" -> "8 tonight", "march first" -> "march 1st").
"""

from __future__ import annotations

import re
import unicodedata


class Lazy:
    """A regex compiled on first use: the grammar has ~70, and compiling them costs ~25 ms
    of `crm log` start-up. `needs` are words one of which a text must contain for the
    pattern to match it (fits()): the rules of a parse that cannot match stay uncompiled."""

    def __init__(self, source: str, *needs: str) -> None:
        self.source = source
        self.ascii = source.isascii()  # an English pattern; the others need Chinese text
        self.needs = tuple(word for word in needs if word.isascii() == self.ascii)
        # Chinese keywords are checked by their first character: a set test in C, which
        # matters because Chinese text is split between every two characters.
        self.first_chars = None if self.ascii else frozenset(word[0] for word in self.needs)

    def fits(self, s: str) -> bool:
        if self.first_chars is not None:
            return not self.first_chars or not self.first_chars.isdisjoint(s)
        return not self.needs or any(word in s for word in self.needs)

    def __getattr__(self, name: str):
        # Called only for a name not set yet: compile, then keep the compiled pattern's
        # method on the instance so later calls cost a plain attribute lookup.
        value = getattr(re.compile(self.source), name)
        setattr(self, name, value)
        return value

# One character for one character: the traditional forms a date can contain.
_TRADITIONAL = str.maketrans({
    "週": "周", "號": "号", "點": "点", "後": "后", "個": "个", "禮": "礼", "時": "时",
    "鐘": "钟", "這": "这", "兩": "两", "現": "现", "當": "当", "頭": "头", "晝": "昼",
    "過": "过", "聽": "听", "國": "国", "慶": "庆", "節": "节", "誕": "诞", "勞": "劳", "動": "动", "尋": "寻", "間": "间", "將": "将", "來": "来",
})

# Whole words, after the characters above are mapped.
_ZH_WORDS = {
    # Cantonese day words
    "听日": "明天", "听朝": "明早", "听晚": "明晚", "大后日": "大后天", "后日": "后天",
    "琴日": "昨天", "寻日": "昨天", "噚日": "昨天", "琴晚": "昨晚", "寻晚": "昨晚",
    "大前日": "大前天", "前日": "前天", "今朝": "今早", "朝早": "早上",
    "晏昼": "下午", "下昼": "下午", "今晚黑": "今晚", "夜晚": "晚上", "夜里": "晚上",
    "今个": "这个", "今星期": "这星期", "今礼拜": "这礼拜",
    # the present moment
    "而家": "现在", "依家": "现在", "宜家": "现在", "此时": "现在", "此刻": "现在", "当前": "现在",
    # 廿 and 卅 are twenty and thirty in dates (廿六号)
    "廿": "二十", "卅": "三十",
    # 8点正 is 8点 exactly
    "点正": "点",
}
_ZH_WORDS_LONGEST_FIRST = sorted(_ZH_WORDS, key=len, reverse=True)  # 大后日 before 后日

_EN_ONES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9}
_EN_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
             "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_EN_NUMBER = Lazy(
    r"\b(?:(?P<tens>" + "|".join(_EN_TENS) + r")(?:[\s-]+(?P<unit>" + "|".join(_EN_ONES) + r"))?"
    r"|(?P<small>" + "|".join(list(_EN_TEENS) + list(_EN_ONES)) + r"))\b",
    *_EN_ONES, "ten", "eleven", "twelve", "teen", "ty",
)
_EN_ORDINALS = {"first": 1, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
                "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
                "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
                "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
                "thirtieth": 30}
_EN_ORDINAL = Lazy(
    r"\b(?:(?P<tens>twenty|thirty)[\s-]+)?(?P<word>" + "|".join(_EN_ORDINALS) + r")\b",
    "first", "third", "fth", "xth", "nth", "hth", "lfth", "ieth",
)
# "second" is a unit of time too ("one second from now"): an ordinal only before
# "of", a weekday or a month name ("second monday of may"), or after a month name.
_CALENDAR_WORD = r"(?:of|mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
_ORDINAL_SECOND = Lazy(rf"\bsecond(?=\s+{_CALENDAR_WORD})|\b(?P<month>{_CALENDAR_WORD}[a-z]*\s+)second\b", "second")


def _number(m: re.Match) -> str:
    if m["small"]:
        return str(_EN_TEENS.get(m["small"]) or _EN_ONES[m["small"]])
    return str(_EN_TENS[m["tens"]] + (_EN_ONES[m["unit"]] if m["unit"] else 0))


def _ordinal(m: re.Match) -> str:
    value = _EN_ORDINALS[m["word"]] + (_EN_TENS[m["tens"]] if m["tens"] else 0)
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


def normalize(text: str) -> str:
    """Fold full-width forms (NFKC), case, spaces, traditional and Cantonese words, number words."""
    s = unicodedata.normalize("NFKC", text).lower()
    s = " ".join(s.split())
    s = re.sub(r"^(\d{4}-\d{1,2}-\d{1,2})t(?=\d)", r"\1 ", s)  # ISO 8601 "2026-12-01T14:30"
    if not s.isascii():
        s = s.translate(_TRADITIONAL)
        for word in _ZH_WORDS_LONGEST_FIRST:  # plain replaces: no regex to compile at start-up
            if word in s:
                s = s.replace(word, _ZH_WORDS[word])
        # "明天 下午 3 点" and "明天下午3点" are the same text for the grammar. After NFKC
        # the only non-ASCII left that matters is Chinese, so spaces next to any non-ASCII
        # character go (a class of the CJK ranges costs ~3 ms to compile at import).
        s = re.sub(r"\s*([^\x00-\x7f])\s*", r"\1", s)
    if re.search(r"[a-z]{3}", s):
        if _EN_ORDINAL.fits(s):
            s = _EN_ORDINAL.sub(_ordinal, s)
        if _ORDINAL_SECOND.fits(s):
            s = _ORDINAL_SECOND.sub(lambda m: (m["month"] or "") + "2nd", s)
        if _EN_NUMBER.fits(s):
            s = _EN_NUMBER.sub(_number, s)
        s = re.sub(r"\bo'?\s*clock\b", "oclock", s)
        s = re.sub(r"(?<=\d)ish\b", "", s)  # "3ish pm"
        s = re.sub(r"\bin\s+the\s+([ap])\.?\s*m\b\.?", r"\1m", s)  # "3 in the am"
    return s


# CJK radicals to CJK unified ideographs, Hangul, compatibility ideographs and forms,
# half/full-width forms. A plain range check: a regex class of these compiles slowly.
_CJK_RANGES = ((0x2E80, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF),
               (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))


def has_cjk(text: str) -> bool:
    return any(lo <= ord(c) <= hi for c in text for lo, hi in _CJK_RANGES)


_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def zh_int(text: str) -> int | None:
    """Arabic digits or a Chinese numeral up to 九十九 (三, 两, 十五, 二十, 零五), or a year 二零二六."""
    if text.isascii() and text.isdigit():
        return int(text)
    if text == "两":  # 两 is 2 only on its own (两周, 两点), never inside 二十二
        return 2
    if len(text) == 1 and text in _ZH_DIGITS:
        return _ZH_DIGITS[text]
    if len(text) == 4 and all(c in _ZH_DIGITS for c in text):  # a year read digit by digit
        return int("".join(str(_ZH_DIGITS[c]) for c in text))
    if len(text) == 2 and text[0] in "零〇" and text[1] in _ZH_DIGITS:  # minutes: 三点零五
        return _ZH_DIGITS[text[1]]
    tens, sep, ones = text.partition("十")
    if not sep or "十" in ones:
        return None
    tens_value = 1 if tens == "" else _ZH_DIGITS.get(tens)
    ones_value = 0 if ones == "" else _ZH_DIGITS.get(ones)
    if not tens_value or ones_value is None or (ones and ones_value == 0):
        return None
    return tens_value * 10 + ones_value
