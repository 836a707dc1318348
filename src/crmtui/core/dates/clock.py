"""The clock half of a date: "3pm", "下午3点半", "15:00", "half past 3", "19h30", 下午.

A clock is read as minutes after midnight (24*60 = the midnight ending the day) under one
rule for both languages: a bare hour 1-7 with no am/pm, part of day or leading zero is in
the afternoon (3点, "at 3", "3:30" are 15:00/15:30); 8-12 are read as written; 13-23 are the
24-hour clock. A part of day with no hour takes its default (PART_DEFAULTS).
"""

from __future__ import annotations

import re

from crmtui.core.dates.days import NUM, alternation
from crmtui.core.dates.text import Lazy, zh_int

# Default clock of a part of day named without an hour (明天下午, "tomorrow evening").
PART_DEFAULTS = {"morning": 9 * 60, "noon": 12 * 60, "afternoon": 15 * 60, "evening": 19 * 60,
                 "night": 19 * 60, "early": 6 * 60}

# Chinese part-of-day words, mapped to the rule that turns their hour into 0-24.
ZH_PERIODS = {"上午": "morning", "早上": "morning", "早晨": "morning", "中午": "noon",
              "下午": "afternoon", "傍晚": "evening", "晚上": "evening", "凌晨": "early"}
_PERIOD = alternation(ZH_PERIODS)

# Words that name a time of day on their own: (minutes, part of day or None for a clock time).
CLOCK_WORDS: dict[str, tuple[int, str | None]] = {
    "noon": (12 * 60, None), "midday": (12 * 60, None), "mid day": (12 * 60, None),
    "the midday": (12 * 60, None), "midnight": (24 * 60, None),
    **{word: (PART_DEFAULTS[part], part) for word, part in ZH_PERIODS.items()},
}
CLOCK_WORDS["傍晚"] = (18 * 60, "evening")

_AP = r"(?P<ap>[ap])\.?\s*(?:m\b\.?)?"
_CLOCK_AMPM = Lazy(rf"(?P<h>\d{{1,2}})(?:(?::|\s+)(?P<m>\d{{2}})(?::\d{{2}})?)?\s*(?:oclock\s*)?{_AP}")
_BARE_A = Lazy(r"\d{1,2}\s*a\.?")  # "4a" is no time ("3:18a" and "4am" are)
_CLOCK_AMPM_RUN = Lazy(rf"(?P<h>\d{{1,2}})(?P<m>\d{{2}})\s*{_AP}")  # "330 p.m."
_CLOCK_COLON = Lazy(rf"(?P<period>{_PERIOD})?(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?::\d{{2}})?")
_CLOCK_H = Lazy(r"(?P<h>\d{1,2})h(?P<m>\d{2})?")  # French-style 24-hour "19h30", "15h"
_CLOCK_OCLOCK = Lazy(r"(?P<h>\d{1,2})\s*oclock")
_CLOCK_DIAN = Lazy(
    rf"(?P<period>{_PERIOD})?(?P<h>{NUM})[点时]"
    rf"(?:钟|整|(?P<half>[搭踏]?半)|(?P<q1>[一1])刻|(?P<q3>[三3])刻"
    rf"|[搭踏]?(?P<zi>{NUM})个字|[搭踏](?P<zi2>{NUM})|(?P<m>{NUM})(?P<fen>分)?)?(?:{NUM}秒钟?)?"
)
_CLOCK_RUN = Lazy(r"(?P<h>\d{1,2})(?:\s+|(?=\d{2}$))(?P<m>\d{2})")  # after "at": "at 3 15", "at 1030"
_RELATIVE_TO = Lazy(
    r"(?P<n>half|(?:a\s+)?quarter|\d{1,2})(?:\s+minutes?)?\s+(?P<dir>past|after|from|to|till|til|before)\s+(?P<base>.+)"
    r"|(?P<n2>half)\s+(?P<base2>\d{1,2})"  # British "half three"
)
_RELATIVE_WORDS = (" past ", " after ", " from ", " to ", " till ", " til ", " before ", "half ")
_LEAD = Lazy(r"(?:(?:at|@|for|around|about|approximately|approx\.?)\s*)*")
_TRAIL = Lazy(r"(?:\s*ish|\s+approximately|\s+or\s+so|\s+sharp)$")

# The parts of day an explicit am/pm agrees with.
_AM_PARTS = {"morning", "early"}
_PM_PARTS = {"afternoon", "evening", "night", "noon"}


def hour24(hour: int, period: str | None) -> int | None:
    """Apply a part-of-day rule to an hour; None when the pair makes no sense (下午25点)."""
    if period is None:  # unmarked: 1-7 mean the afternoon, like spoken Chinese
        return hour + 12 if 1 <= hour <= 7 else hour if hour <= 23 else None
    if period == "24h":  # a leading zero, "19h30"
        return hour if hour <= 23 else None
    if period in ("am", "pm"):
        if not 1 <= hour <= 12:
            return None
        return hour % 12 + (12 if period == "pm" else 0)
    if period == "morning":
        return hour if 1 <= hour <= 12 else None
    if period == "noon":  # 中午12点 = 12:00, 中午1点 = 13:00
        return hour if 11 <= hour <= 15 else hour + 12 if 1 <= hour <= 3 else None
    if period in ("afternoon", "evening", "night"):
        if 1 <= hour <= 11:
            return hour + 12
        if hour == 12:  # 下午12点 is noon; 晚上12点 is the midnight ending the day
            return 12 if period == "afternoon" else 24
        return hour if 13 <= hour <= 23 else None
    if period == "early":  # 凌晨, "early morning"
        return hour if 0 <= hour <= 11 else None
    return None


def _clock(hour: int, minute: int, period: str | None) -> int | None:
    h = hour24(hour, period)
    if h is None or not 0 <= minute <= 59:
        return None
    return h * 60 + minute


def _agree(period: str | None, hint: str | None) -> bool:
    """A written part of day (下午) and the one the day word set (今晚) must be the same."""
    return period is None or hint is None or period == hint or {period, hint} <= {"evening", "night"}


def parse_clock(s: str, hint: str | None, bare: bool = False) -> tuple[int, str | None] | None:
    """(minutes after midnight, part of day when only that was named) or None.

    `hint` is the part of day set elsewhere (今晚 -> "evening", "in the afternoon"): it
    applies to an unmarked hour, and a marked hour must agree with it. A bare number is an
    hour only after "at", with a hint, or when `bare` (after "tomorrow": "tomorrow 9").
    """
    at_word = False
    if s.isascii() and not s.isdigit():
        lead = _LEAD.match(s)
        at_word = bool(lead.group())
        s = s[lead.end():]
        if " " in s or "ish" in s:
            s = _TRAIL.sub("", s)
    if s in CLOCK_WORDS:
        minutes, part = CLOCK_WORDS[s]
        if hint and (part is None or not _agree(part, hint)):
            return None  # 今晚 + "noon", 今晚 + 上午: two times
        return minutes, part
    english = s.isascii()  # the patterns of the other script are not even compiled
    m = english and ("a" in s or "p" in s) and (_CLOCK_AMPM.fullmatch(s) or _CLOCK_AMPM_RUN.fullmatch(s))
    if m and not _BARE_A.fullmatch(s):
        ap = "am" if m["ap"] == "a" else "pm"
        if hint and hint not in (_AM_PARTS if ap == "am" else _PM_PARTS):
            return None  # "tonight 9am"
        minutes = _clock(int(m["h"]), int(m["m"] or 0), ap)
        return None if minutes is None else (minutes, None)
    m = ":" in s and _CLOCK_COLON.fullmatch(s)
    if m:
        period = ZH_PERIODS.get(m["period"])
        if not _agree(period, hint):
            return None  # 今晚下午3:00
        rule = period or hint or ("24h" if m["h"].startswith("0") else None)
        minutes = _clock(int(m["h"]), int(m["m"]), rule)
        return None if minutes is None else (minutes, None)
    m = english and "h" in s and _CLOCK_H.fullmatch(s)
    if m:
        minutes = _clock(int(m["h"]), int(m["m"] or 0), "24h")
        return None if minutes is None or (hint and not _fits(minutes, hint)) else (minutes, None)
    m = not english and ("点" in s or "时" in s) and _CLOCK_DIAN.fullmatch(s)
    if m:
        period = ZH_PERIODS.get(m["period"])
        if not _agree(period, hint):
            return None  # 今晚下午3点
        hour = zh_int(m["h"])
        if m["m"] and not m["fen"] and len(m["m"]) == 1:
            return None  # 三点三: 3:03, or 3:15 as Cantonese counts (三个字)? not guessed
        zi = m["zi"] or m["zi2"]
        minute = (30 if m["half"] else 15 if m["q1"] else 45 if m["q3"]
                  else None if zi and zh_int(zi) is None else 5 * zh_int(zi) if zi
                  else zh_int(m["m"]) if m["m"] else 0)
        if hour is None or minute is None:
            return None
        minutes = _clock(hour, minute, period or hint)
        return None if minutes is None else (minutes, None)
    m = english and "oclock" in s and _CLOCK_OCLOCK.fullmatch(s)
    if m:
        minutes = _clock(int(m["h"]), 0, hint)
        return None if minutes is None else (minutes, None)
    m = english and any(word in s for word in _RELATIVE_WORDS) and _RELATIVE_TO.fullmatch(s)
    if m:
        return _relative_to(m, hint)
    if at_word or hint or bare:
        m = _CLOCK_RUN.fullmatch(s) if at_word else None
        if m and (hint or " " in s or not 1 <= int(m["h"]) <= 7):  # "at 3 15", "at 1030"; "at 150" is refused
            minutes = _clock(int(m["h"]), int(m["m"]), hint)
            return None if minutes is None else (minutes, None)
        if re.fullmatch(r"\d{1,2}", s):
            minutes = _clock(int(s), 0, hint)
            return None if minutes is None else (minutes, None)
    return None


def _fits(minutes: int, hint: str) -> bool:
    """A 24-hour time beside a part of day ("tonight 19h"): it must lie in that part."""
    hour = minutes // 60
    return {"morning": 5 <= hour < 12, "early": hour < 6, "noon": 11 <= hour < 14,
            "afternoon": 12 <= hour < 19, "evening": hour >= 17 or hour == 0,
            "night": hour >= 17 or hour < 5}.get(hint, False)


def _relative_to(m: re.Match, hint: str | None) -> tuple[int, str | None] | None:
    """ "half past 3", "a quarter to noon", "20 minutes to 2pm", "twenty after 3pm"."""
    if m["n2"]:
        amount, base_text, forward = 30, m["base2"], True
    else:
        amount = 30 if m["n"] == "half" else 15 if "quarter" in m["n"] else int(m["n"])
        base_text, forward = m["base"], m["dir"] in ("past", "after", "from")
    if not 1 <= amount <= 59:
        return None
    base = parse_clock(base_text, hint, bare=True)
    if base is None or base[1] is not None or base[0] % 60:
        return None  # only a whole hour can be counted from: "half past 3:10" is no time
    minutes = base[0] + (amount if forward else -amount)
    return (minutes, None) if 0 <= minutes <= 24 * 60 else None
