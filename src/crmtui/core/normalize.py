"""Normalised keys of names, phones, emails and regions for duplicate detection and search."""

# Stdlib only at import (phone_key imports phonenumbers when it needs it), nothing heavy: the
# store and the quick-entry CLI import this on every write. Regexes are compiled on first use
# (the CJK class alone costs ~2.5 ms to compile, because of its ranges outside the BMP), so
# the import takes under 1 ms.

from __future__ import annotations

import functools
import importlib.util
import re
import unicodedata
from pathlib import Path

__all__ = [
    "fold",
    "name_key",
    "phone_key",
    "looks_like_phone",
    "set_phone_region",
    "is_phone_region",
    "email_key",
    "region_key",
    "region_aliases",
    "has_cjk",
    "is_cjk_char",
    "visible",
]

# --------------------------------------------------------------------------- fold

# Invisible characters that copy-paste from WeChat, web pages and Excel leaves inside
# names; they are not whitespace to str.split(), so they would otherwise make two equal
# names differ: zero-width space, zero-width no-break space (BOM), word joiner.
_INVISIBLE = {0x200B: None, 0xFEFF: None, 0x2060: None}


def fold(text: str) -> str:
    """NFKC-fold `text` (full-width letters, digits, punctuation and the ideographic space
    become their ASCII forms: 'ＡＢＣ１２３' -> 'ABC123'), drop zero-width characters,
    strip, and collapse every run of whitespace to one space."""
    text = unicodedata.normalize("NFKC", text)
    # translate() looks each character of a non-ASCII text up in the table (~5 us a name); three scans cost ~0.6 us
    if "\u200b" in text or "\ufeff" in text or "\u2060" in text:
        text = text.translate(_INVISIBLE)
    # str.split() with no argument splits on every Unicode whitespace character.
    return " ".join(text.split())


# --------------------------------------------------------------------------- CJK

# CJK unified ideographs (the basic block and extensions A to I) plus the compatibility
# ideographs, which NFKC usually maps onto the unified ones anyway.
_CJK_CLASS = (
    "\u3400-\u4dbf"  # extension A
    "\u4e00-\u9fff"  # basic block
    "\uf900-\ufaff"  # compatibility ideographs
    "\U00020000-\U0002ee5f"  # extensions B to F, and I right after them
    "\U0002f800-\U0002fa1f"  # compatibility supplement
    "\U00030000-\U000323af"  # extensions G and H
)


@functools.cache
def _cjk_re() -> re.Pattern[str]:
    """One CJK ideograph, compiled on first use."""
    return re.compile(f"[{_CJK_CLASS}]")


def has_cjk(text: str) -> bool:
    """True when `text` contains a CJK ideograph (unified, any extension, or compatibility)."""
    # Every CJK ideograph is above U+3400: plain ASCII/Latin text returns without a regex.
    return max(text, default="\0") >= "\u3400" and _cjk_re().search(text) is not None


def is_cjk_char(ch: str) -> bool:
    """True when the single character `ch` is a CJK ideograph."""
    return ch >= "\u3400" and _cjk_re().match(ch) is not None


# --------------------------------------------------------------------------- regions

# The 34 provincial-level divisions: 4 municipalities, 23 provinces (Taiwan included, as
# the national standard GB/T 2260 lists it), 5 autonomous regions, 2 SARs.
_PROVINCES = {
    "北京": "beijing", "天津": "tianjin", "上海": "shanghai", "重庆": "chongqing",
    "河北": "hebei", "山西": "shanxi", "辽宁": "liaoning", "吉林": "jilin",
    "黑龙江": "heilongjiang", "江苏": "jiangsu", "浙江": "zhejiang", "安徽": "anhui",
    "福建": "fujian", "江西": "jiangxi", "山东": "shandong", "河南": "henan",
    "湖北": "hubei", "湖南": "hunan", "广东": "guangdong", "海南": "hainan",
    "四川": "sichuan", "贵州": "guizhou", "云南": "yunnan", "陕西": "shaanxi",
    "甘肃": "gansu", "青海": "qinghai", "台湾": "taiwan",
    "内蒙古": "neimenggu", "广西": "guangxi", "西藏": "xizang", "宁夏": "ningxia",
    "新疆": "xinjiang", "香港": "xianggang", "澳门": "aomen",
}

# The largest cities and every provincial capital not named above. 吉林 is both a
# province and a city; either way it folds to 吉林.
_CITIES = {
    "深圳": "shenzhen", "广州": "guangzhou", "杭州": "hangzhou", "成都": "chengdu",
    "武汉": "wuhan", "南京": "nanjing", "苏州": "suzhou", "西安": "xian",
    "郑州": "zhengzhou", "长沙": "changsha", "东莞": "dongguan", "沈阳": "shenyang",
    "青岛": "qingdao", "合肥": "hefei", "佛山": "foshan", "宁波": "ningbo",
    "昆明": "kunming", "济南": "jinan", "大连": "dalian", "福州": "fuzhou",
    "厦门": "xiamen", "哈尔滨": "haerbin", "长春": "changchun", "石家庄": "shijiazhuang",
    "南宁": "nanning", "贵阳": "guiyang", "南昌": "nanchang", "太原": "taiyuan",
    "无锡": "wuxi", "温州": "wenzhou", "泉州": "quanzhou", "兰州": "lanzhou",
    "乌鲁木齐": "wulumuqi", "呼和浩特": "huhehaote", "海口": "haikou",
    "银川": "yinchuan", "西宁": "xining", "拉萨": "lasa", "珠海": "zhuhai",
    "中山": "zhongshan", "常州": "changzhou", "南通": "nantong", "徐州": "xuzhou",
    "烟台": "yantai", "惠州": "huizhou", "嘉兴": "jiaxing", "绍兴": "shaoxing",
    "金华": "jinhua", "台州": "taizhou", "潍坊": "weifang", "唐山": "tangshan",
}

# Conventional English names that are not plain pinyin (keys are compared after
# casefolding and removing spaces, hyphens and apostrophes).
_ENGLISH_EXTRA = {
    "peking": "北京", "hongkong": "香港", "macau": "澳门", "macao": "澳门",
    "innermongolia": "内蒙古", "tibet": "西藏", "canton": "广州",
    "harbin": "哈尔滨", "urumqi": "乌鲁木齐", "hohhot": "呼和浩特", "lhasa": "拉萨",
    "amoy": "厦门", "tsingtao": "青岛",
}

# Administrative words after a place name, longest first so that 维吾尔自治区 wins over
# 自治区. 市 is not taken before 场: 市场 ("market") starts the next word far more often
# than it ends 北京市 (and 北京市市场部 then still equals 北京市场部).
_CN_SUFFIX = r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|特区|省|市(?!场))"

# English administrative words dropped from an English region ('Beijing Shi',
# 'Guangdong Province', 'Hong Kong SAR').
_EN_SUFFIXES = (
    "autonomousregion", "specialadministrativeregion", "municipality", "province",
    "zizhiqu", "sheng", "city", "shi", "sar",
)


@functools.cache
def _region_re() -> re.Pattern[str]:
    """The place-name-plus-suffix pattern, compiled on first use (keeps import cheap)."""
    # Longest names first, so that no shorter name can match inside a longer one.
    names = sorted({*_PROVINCES, *_CITIES}, key=len, reverse=True)
    return re.compile(f"({'|'.join(names)}){_CN_SUFFIX}")


@functools.cache
def _english_regions() -> dict[str, str]:
    """Pinyin / English spelling (lower case, no spaces) -> hanzi, built on first use."""
    table = {py: hz for hz, py in {**_PROVINCES, **_CITIES}.items()}
    table.update(_ENGLISH_EXTRA)
    return table


def _fold_regions(text: str) -> str:
    """Drop 省/市/自治区/特别行政区 after a known place name, anywhere in `text`."""
    # every suffix ends in 省, 市 or 区: a text with none of them has nothing to drop (and skips a long alternation)
    if "省" not in text and "市" not in text and "区" not in text:
        return text
    if not has_cjk(text):
        return text
    return _region_re().sub(r"\1", text)


def region_key(region: str | None) -> str | None:
    """The region alias fold alone: '北京市' -> '北京', '广东省' -> '广东',
    '广西壮族自治区' -> '广西', '香港特别行政区' -> '香港', '北京市朝阳区' -> '北京朝阳区';
    English or pinyin spellings of the same places ('Beijing', 'beijing shi',
    'Guangdong Province', 'Hong Kong', "Xi'an") -> the hanzi. Anything else is returned
    folded and casefolded (this is a key to compare, not text to show). None when empty."""
    if region is None:
        return None
    text = fold(region)
    if not text:
        return None
    if has_cjk(text):
        return _fold_regions(text).casefold()
    # English: compare letters and digits only, without case, so that 'Hong Kong',
    # 'hongkong' and "Xi'an" / 'Xi An' / 'xi-an' all match.
    compact = "".join(ch for ch in text.casefold() if ch.isalnum())
    table = _english_regions()
    if compact in table:
        return table[compact]
    for suffix in _EN_SUFFIXES:
        if compact.endswith(suffix) and compact[: -len(suffix)] in table:
            return table[compact[: -len(suffix)]]
    return text.casefold()


def region_aliases(text: str) -> list[str]:
    """Other spellings of a place in `text`, for search: '北京市' -> ['北京', 'beijing'], 'Beijing' ->
    ['北京', 'beijing'], '北京市朝阳区' -> ['北京朝阳区']; [] when it names no known place."""
    key = region_key(text)
    if key is None:
        return []
    aliases = [key] if key != fold(text).casefold() else []
    pinyin = {**_PROVINCES, **_CITIES}.get(key)
    if pinyin:
        aliases.extend(alias for alias in (key, pinyin) if alias not in aliases)
    return aliases


# --------------------------------------------------------------------------- names

# Chinese legal forms, longest first. 集团 is kept on purpose: a legal form says *how* a
# company is registered, never *which* company, but 集团 names a different entity (the
# group, not its operating subsidiary: 海尔集团 vs 海尔智家), so 某某集团有限公司 ==
# 某某集团 != 某某.
_CN_LEGAL = (
    "股份有限公司", "有限责任公司", "有限合伙", "有限公司", "股份公司", "公司",
)

# English legal forms, matched as a whole word at the end (after casefolding, with an
# optional trailing dot); 'co., ltd.' is two of them and goes in two rounds.
_EN_LEGAL = (
    r"(?:incorporated|corporation|limited|company|gmbh|corp|inc|ltd|llc|llp|plc|pte|pty|pvt|co)"
    r"\.?$"
)


@functools.cache
def _en_legal_re() -> re.Pattern[str]:
    """The English legal-form pattern, compiled on first use."""
    return re.compile(_EN_LEGAL)


def _strip_trailing_punct(text: str) -> str:
    """Drop trailing spaces, punctuation and symbols (so a suffix can be seen at the end)."""
    end = len(text)
    while end and unicodedata.category(text[end - 1])[0] in "PZS":
        end -= 1
    return text[:end]


def _strip_legal_forms(text: str) -> str:
    """Drop legal-form suffixes at the end of `text`, repeatedly, never down to nothing."""
    while True:
        text = _strip_trailing_punct(text)
        before = text
        for suffix in _CN_LEGAL:
            if text.endswith(suffix):
                # The longest match decides: '有限公司' alone stays, rather than
                # losing 公司 to the shorter suffix.
                if len(text) > len(suffix):
                    text = text[: -len(suffix)]
                break
        else:
            # an English legal form ends in a letter or a dot: any other last character spares the search
            m = _en_legal_re().search(text) if text[-1:].isascii() and (text[-1:].isalpha() or text[-1:] == ".") \
                else None
            # Whole word only: 'Costco' keeps its 'co'. A CJK character before the word
            # counts as a boundary ('阿里巴巴Ltd'), a Latin letter or digit does not.
            if m and m.start() > 0:
                prev = text[m.start() - 1]
                if not prev.isalnum() or is_cjk_char(prev):
                    rest = _strip_trailing_punct(text[: m.start()])
                    if rest:
                        text = rest
        if text == before:
            return text


@functools.lru_cache(maxsize=1024)
def name_key(name: str) -> str:
    """Normalised name for duplicate checks: fold, casefold, region aliases folded
    (北京市朝阳科技 == 北京朝阳科技), legal-form suffixes dropped at the end (有限公司,
    股份有限公司, 有限责任公司, 公司, Inc., Ltd, 'Co., Ltd.', LLC, GmbH, ...; 集团 is kept),
    then every space, punctuation, symbol and control/format character removed.
    Returns '' when nothing is left."""
    text = fold(name).casefold()
    if not text:
        return ""
    text = _fold_regions(text)
    text = _strip_legal_forms(text)
    # Keep letters, marks and numbers; drop P* (punctuation), Z* (separators),
    # S* (symbols) and C* (controls, format characters), which never tell names apart.
    # Cached: writing a record checks its name, then keys it. A text of letters and digits only (no character
    # isalnum() accepts is in P, Z, S or C) has nothing to drop.
    if text.isalnum():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")


# --------------------------------------------------------------------------- phones


DEFAULT_PHONE_REGION = "CN"
_phone_region = DEFAULT_PHONE_REGION


def set_phone_region(region: str) -> None:
    """The country a number typed without its country code belongs to (the `phone_region` setting)."""
    global _phone_region
    _phone_region = region.upper()


def is_phone_region(region: str) -> bool:
    """Whether `region` is a two-letter country code the phone library has numbering data for.

    Looks for the library's data file rather than importing it (the import takes ~50 ms, and settings
    are checked on every command)."""
    if not (len(region) == 2 and region.isascii() and region.isalpha()):
        return False
    spec = importlib.util.find_spec("phonenumbers")
    if spec is None or not spec.submodule_search_locations:
        return region.upper() == DEFAULT_PHONE_REGION
    return any((Path(place) / "data" / f"region_{region.upper()}.py").exists()
               for place in spec.submodule_search_locations)


@functools.cache
def _non_digits() -> re.Pattern[str]:
    return re.compile("[^0-9]+")


def _phone_digits(text: str) -> str:
    if text.isascii():  # an ASCII character is decimal exactly when it is 0-9
        return text if text.isdecimal() else _non_digits().sub("", text)
    # isdecimal() also admits other scripts' digits; unicodedata.decimal maps them to 0-9.
    return "".join(ch if "0" <= ch <= "9" else str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())


def phone_key(phone: str | None, region: str | None = None) -> str | None:
    """The E.164 form of a valid number ('+8613800138000' for '+86 138-0013-8000', '0086 13800138000',
    '（+86）13800138000' and '138 0013 8000' alike; '+861012345678' for '010-12345678'), reading a number
    without a country code as one of `region` (default: the phone_region setting). A number the
    numbering plan does not know (an extension, a short code) keeps its digits only ('12345').
    None for None, empty input, or fewer than 5 digits."""
    if not phone:
        return None
    return _phone_key(phone, (region or _phone_region).upper())


@functools.lru_cache(maxsize=1024)
def _phone_key(phone: str, region: str) -> str | None:
    """phone_key in a region. Cached: writing a record checks its phone, then keys it."""
    text = fold(phone)
    digits = _phone_digits(text)
    if len(digits) < 5:
        return None
    international = text.lstrip("( ").startswith("+")
    mobile = _chinese_mobile(digits, international, region)
    if mobile:
        return mobile
    # deferred: it takes ~50 ms, and only a write of a phone or a search for one needs it.
    import phonenumbers

    try:
        number = phonenumbers.parse("+" + digits if international else digits, region)
    except phonenumbers.NumberParseException:
        return digits
    if not phonenumbers.is_valid_number(number):
        return digits
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _chinese_mobile(digits: str, international: bool, region: str) -> str | None:
    """'+86' and the 11 digits of a Chinese mobile number, without the phone library: most numbers a rep
    types are these, and the library takes ~150 us a number (a pull of 50k customers re-keys each)."""
    if international:
        national = digits[2:] if digits.startswith("86") else ""
    elif region != "CN":
        return None
    elif digits.startswith("0086"):
        national = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        national = digits[2:]
    else:
        national = digits
    if len(national) == 11 and national[0] == "1" and national[1] in "3456789":
        return "+86" + national
    return None


def possible_phone(phone: str, region: str | None = None) -> bool:
    """Whether a number can be one as typed: a Chinese mobile (1, then 3-9) has all its 11 digits, and any other
    number a length its country's numbering plan allows (a number cut short or too long is not). In China a
    number dialled only locally is a service's short code (12345, 95588), never a customer's, so it is refused;
    elsewhere a local number (+1 555 0100) is kept. A number the phone library cannot read is left to phone_key."""
    region = (region or _phone_region).upper()
    text = fold(phone)
    digits = _phone_digits(text)
    international = text.lstrip("( ").startswith("+")
    if _chinese_mobile(digits, international, region):
        return True
    # deferred: as in _phone_key
    import phonenumbers

    try:
        number = phonenumbers.parse("+" + digits if international else digits, region)
    except phonenumbers.NumberParseException:
        return True
    national = str(number.national_number)
    if number.country_code == 86 and national[:1] == "1" and national[1:2] in "3456789":
        return False  # a mobile with a digit too few or too many
    reason = phonenumbers.is_possible_number_with_reason(number)
    local = phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY
    return bool(reason == phonenumbers.ValidationResult.IS_POSSIBLE or (reason == local and number.country_code != 86))


def looks_like_phone(text: str) -> bool:
    """Whether a search term is a phone number: digits (5 or more) with only + - . ( ) and spaces."""
    folded = fold(text)
    return len(_phone_digits(folded)) >= 5 and all(ch.isdecimal() or ch in "+-.() " for ch in folded)


# --------------------------------------------------------------------------- emails


def email_key(email: str | None) -> str | None:
    """fold, casefold, and remove all whitespace (an address never contains any; a pasted
    one often does: ' Zhang.San @Example.COM ' -> 'zhang.san@example.com'). None when empty."""
    if email is None:
        return None
    key = "".join(fold(email).casefold().split())
    return key or None


# --------------------------------------------------------------------------- display

# C0 controls except tab and newline, DEL, and the C1 controls: each is shown as a
# visible escape, because a terminal would act on it (colour, cursor moves, clearing
# the screen, or an OSC 8 link hiding a URL).
_VISIBLE_TABLE = {
    cp: f"\\x{cp:02x}"
    for cp in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))
    if cp not in (0x09, 0x0A)
}


def visible(text: str) -> str:
    """Text safe to print on a terminal: every C0/C1 control character except newline and
    tab, and DEL, becomes a visible escape (ESC prints as the four characters '\\x1b');
    everything else, markup such as '[bold]' included, is unchanged
    (render the result as rich Text, never as markup)."""
    return text.translate(_VISIBLE_TABLE)
