"""Pinyin keys of Chinese names (full pinyin and initials), computed when a name is written."""

# pypinyin costs ~0.24 s and ~58 MB to import (it loads its character and phrase
# dictionaries at import), so it is imported inside the functions, never at module
# level: searching, and any command that does not write a name, never pays for it.
# A name's keys are computed once, when it is written, and stored next to it.
#
# Measured here (pypinyin 0.55, five runs): the first pinyin_keys() call in a process
# takes 0.15-0.20 s and adds ~55 MB of RSS (all of it the import of pypinyin's
# dictionaries); later calls take 20-60 µs.

from __future__ import annotations

import gc
import re
from collections.abc import Callable
from functools import cache, lru_cache, partial

from crmtui.core.normalize import _CJK_CLASS, fold, has_cjk

__all__ = ["pinyin_keys", "search_keys", "SURNAMES", "COMPOUND_SURNAMES"]

# Two-character surnames, matched before the one-character table (长孙 is zhangsun, not
# chang + sun). 单于 (chanyu) is left out on purpose: 单 + a given name starting with 于
# is far more common today than the old compound surname.
COMPOUND_SURNAMES: dict[str, tuple[str, str]] = {
    "欧阳": ("ou", "yang"), "司马": ("si", "ma"), "诸葛": ("zhu", "ge"),
    "上官": ("shang", "guan"), "东方": ("dong", "fang"), "皇甫": ("huang", "fu"),
    "尉迟": ("yu", "chi"), "公孙": ("gong", "sun"), "慕容": ("mu", "rong"),
    "令狐": ("ling", "hu"), "长孙": ("zhang", "sun"), "宇文": ("yu", "wen"),
    "夏侯": ("xia", "hou"), "轩辕": ("xuan", "yuan"), "端木": ("duan", "mu"),
    "澹台": ("tan", "tai"), "闻人": ("wen", "ren"), "申屠": ("shen", "tu"),
    "万俟": ("mo", "qi"), "司徒": ("si", "tu"), "司空": ("si", "kong"),
    "西门": ("xi", "men"), "南宫": ("nan", "gong"), "独孤": ("du", "gu"),
    "呼延": ("hu", "yan"), "百里": ("bai", "li"), "东郭": ("dong", "guo"),
    "太史": ("tai", "shi"), "钟离": ("zhong", "li"), "拓跋": ("tuo", "ba"),
    "公冶": ("gong", "ye"), "赫连": ("he", "lian"), "淳于": ("chun", "yu"),
    "濮阳": ("pu", "yang"), "仲孙": ("zhong", "sun"), "公羊": ("gong", "yang"),
    "宗政": ("zong", "zheng"), "乐正": ("yue", "zheng"), "鲜于": ("xian", "yu"),
    "亓官": ("qi", "guan"), "司寇": ("si", "kou"), "左丘": ("zuo", "qiu"),
    "第五": ("di", "wu"),
}

# One-character surnames whose surname reading differs from pypinyin's default reading
# of the character alone (单 dan -> shan, 曾 ceng -> zeng, ...), plus a few where the
# default happens to be right but depends on the dictionary's choice (任 ren, 华 hua,
# 石 shi, 柏 bai, 宁 ning, 殷 yin, 沈 shen, 葛 ge, ...), so that a future pypinyin
# cannot change a stored key.
SURNAMES: dict[str, str] = {
    "单": "shan", "曾": "zeng", "解": "xie", "区": "ou", "仇": "qiu", "查": "zha",
    "朴": "piao", "乐": "yue", "盖": "ge", "缪": "miao", "覃": "qin", "翟": "zhai",
    "莘": "shen", "黑": "he", "员": "yun", "秘": "bi", "召": "shao", "繁": "po",
    "能": "nai", "句": "gou", "阚": "kan", "任": "ren", "华": "hua", "石": "shi",
    "柏": "bai", "宁": "ning", "种": "chong", "牟": "mou", "隗": "wei", "卜": "bu",
    "訾": "zi", "折": "she", "晟": "cheng", "祭": "zhai", "殷": "yin",
    "薄": "bo", "长": "chang", "重": "chong", "都": "du", "角": "jue", "乜": "nie",
    "尉": "wei", "蕃": "pi", "藏": "zang", "臧": "zang", "洗": "xian", "冼": "xian",
    "逢": "pang", "逄": "pang", "粘": "nian", "行": "xing", "沈": "shen", "葛": "ge",
    "费": "fei", "燕": "yan", "谌": "chen", "褚": "chu", "佘": "she", "厍": "she",
    "过": "guo", "车": "che", "曲": "qu", "纪": "ji", "相": "xiang", "朝": "chao",
    "和": "he", "贾": "jia", "那": "na", "瞿": "qu", "缑": "gou", "郇": "huan",
    "眭": "sui", "隽": "juan", "亓": "qi", "仉": "zhang", "雒": "luo", "传": "chuan",
}

# 老单 / 小曾: a rep often files a contact by surname with 老 or 小 in front; the
# second character of such a two-character name is read as a surname.
_FAMILIAR_PREFIXES = {"老": "lao", "小": "xiao"}


@cache
def _pieces_re() -> re.Pattern[str]:
    """A CJK run, or a run of other characters that isalnum() accepts (what re calls a word character, but _),
    compiled on first use (the CJK class costs ~2.5 ms to compile)."""
    return re.compile(f"([{_CJK_CLASS}]+)|([^\\W_{_CJK_CLASS}]+)")


def _segments(text: str) -> list[tuple[bool, str]]:
    """Split `text` into (is_cjk, run) pieces: CJK runs, and alphanumeric non-CJK words.

    Spaces, punctuation and symbols separate pieces and are dropped."""
    # One regex scan: a loop over the characters (is_cjk_char, isalnum) costs ~4 us a name.
    return [(bool(cjk), cjk or other) for cjk, other in _pieces_re().findall(text)]


def _surname(run: str) -> tuple[list[str], int]:
    """The surname syllables at the start of a CJK run and how many characters they cover."""
    if run[:2] in COMPOUND_SURNAMES:
        return list(COMPOUND_SURNAMES[run[:2]]), 2
    if len(run) == 2 and run[0] in _FAMILIAR_PREFIXES and run[1] in SURNAMES:
        return [_FAMILIAR_PREFIXES[run[0]], SURNAMES[run[1]]], 2
    if run[0] in SURNAMES:
        return [SURNAMES[run[0]]], 1
    return [], 0


@lru_cache(maxsize=1)
def _pypinyin() -> Callable[[str], list[str]]:
    """pypinyin's toneless reading of a text, imported on first use.

    Lazy on purpose: importing pypinyin costs ~0.24 s and ~58 MB (see the module note). The import runs with the
    cyclic garbage collector paused: it parses ~90,000 dictionary entries into lists that all stay alive, and the
    collections they set off free nothing (0.13 s, a third of the import's CPU time, once the ORM is loaded)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        from pypinyin import Style, lazy_pinyin  # deferred: ~0.24 s and ~58 MB, see the docstring
    finally:
        if collecting:
            gc.enable()
    # lazy_pinyin is pinyin(heteronym=False) flattened: one reading per character.
    # errors="ignore": a character pypinyin does not know is left out rather than
    # copied into the key as a hanzi.
    return partial(lazy_pinyin, style=Style.NORMAL, errors="ignore")


@lru_cache(maxsize=4096)
def _cjk_syllables(run: str) -> tuple[str, ...]:
    """Toneless pinyin of a CJK run through pypinyin (phrase-aware, no heteronyms). Cached: a company's keys read
    its name twice (as a company and as a person's name), and a sample or an import repeats city and trade names."""
    syllables = _pypinyin()(run)
    return tuple(s.lower() for s in syllables if s.isascii() and s.isalpha())


@lru_cache(maxsize=256)
def _name_pieces(name: str) -> tuple[tuple[bool, str], ...]:
    """The pieces of the folded name; none without CJK. Cached: a company's keys read its name twice (as a
    company's and as a person's)."""
    text = fold(name)
    if not has_cjk(text):
        return ()
    return tuple(_segments(text))


def _words(name: str, person: bool) -> tuple[list[str], list[str]]:
    """(syllables-or-words, initials) of `name` in order; both empty without CJK."""
    pieces = _name_pieces(name)
    if not pieces:
        return [], []
    words: list[str] = []
    initials: list[str] = []
    surname_done = not person
    for cjk, run in pieces:
        if not cjk:
            # Latin words and digits are kept whole in both keys ('李Lily' ->
            # 'lilily' / 'llily'), so the key still contains what was typed.
            word = run.casefold()
            words.append(word)
            initials.append(word)
            continue
        syllables: list[str] = []
        if not surname_done:
            # The surname is the start of the first CJK run, whatever Latin text comes
            # before it ('Lily李' is still 李 li, 'VIP单田芳' still 单 shan).
            surname_done = True
            syllables, used = _surname(run)
            run = run[used:]
        if run:
            syllables += _cjk_syllables(run)
        words += syllables
        initials += [s[0] for s in syllables]
    return words, initials


def pinyin_keys(name: str, person: bool = True) -> tuple[str, str]:
    """(full, initials) of `name`: lower-case toneless pinyin without spaces, e.g.
    '张三' -> ('zhangsan', 'zs'), '欧阳修' -> ('ouyangxiu', 'oyx').

    With person=True the surname (a compound one such as 欧阳 or 长孙 first, else the
    first character; also 老单 / 小曾) is read through a surname table (单 shan, 曾 zeng,
    朴 piao, ...); the rest goes through pypinyin's phrase-aware default reading. With
    person=False (companies) there is no surname table: '单位测试' -> ('danweiceshi', 'dwcs').
    Latin letters and digits are kept whole, lower-cased, in both keys:
    '李Lily' -> ('lilily', 'llily'). Spaces and punctuation are dropped.
    Returns ('', '') when the name has no CJK character (callers skip storing it)."""
    words, initials = _words(name, person)
    return "".join(words), "".join(initials)


def search_keys(name: str, person: bool = True) -> str:
    """One string to add to the search index for `name`: full pinyin, initials and the
    syllables space-separated ('张三' -> 'zhangsan zs zhang san'), so 'zs', 'zhangsan',
    'zhang san' and 'san' are all substrings. '' when the name has no CJK character."""
    words, initials = _words(name, person)
    if not words:
        return ""
    return " ".join(["".join(words), "".join(initials), *words])


def record_keys(name: str, person: bool) -> str:
    """The pinyin keys stored for a customer or contact. A record not known to be a person gets both
    readings: a customer filed as a company is often a person (曾小明 is found by zxm, the surname
    reading, as well as by cxm)."""
    keys = search_keys(name, person=person)
    if not person:
        keys = " ".join(dict.fromkeys([*keys.split(), *search_keys(name, person=True).split()]))
    return keys
