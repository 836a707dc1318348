"""Tests of crmtui.core.normalize: the keys behind duplicate detection and search."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crmtui.core.normalize import (
    email_key,
    fold,
    has_cjk,
    name_key,
    phone_key,
    region_key,
    visible,
)

SRC = Path(__file__).resolve().parent.parent / "src"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("张三\u3000", "张三"),  # ideographic space at the end
        ("\u3000张\u3000\u3000三 ", "张 三"),
        ("ＡＢＣ公司", "ABC公司"),
        ("  a \t b\n\nc  ", "a b c"),
        ("（＋８６）", "(+86)"),
        ("Hello\u200bWorld\ufeff", "HelloWorld"),  # zero-width characters dropped
        ("", ""),
        ("   ", ""),
    ],
)
def test_fold(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("北京市某某科技有限公司", "北京某某科技"),
        ("北京市朝阳科技", "北京朝阳科技"),
        ("Acme, Inc.", "ACME inc"),
        ("Acme, Inc.", "Ａｃｍｅ"),
        ("Acme Co., Ltd.", "acme"),
        ("ACME CO.,LTD", "Acme"),
        ("Acme Limited", "Acme LLC"),
        ("Acme Corporation", "Acme Corp."),
        ("Acme GmbH", "Acme PLC"),
        ("ＡＢＣ公司", "abc"),
        ("张三\u3000", "张三"),
        ("深圳市腾飞股份有限公司", "深圳腾飞"),
        ("上海市 腾飞 有限责任公司", "上海腾飞"),
        ("广东省广州市某某贸易有限公司", "广东广州某某贸易"),
        ("广西壮族自治区南宁市某某", "广西南宁某某"),
        ("内蒙古自治区某某", "内蒙古某某"),
        ("香港特别行政区某某", "香港某某"),
        ("某某集团股份有限公司", "某某集团"),
        ("北京市市场部", "北京市场部"),  # 市场 (market) is not the suffix 市
        ("阿里巴巴Ltd", "阿里巴巴"),
        ("Hello\u200bWorld", "hello world"),
    ],
)
def test_name_key_equal(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("某某集团有限公司", "某某"),  # 集团 is kept: the group is another entity
        ("Costco", "Cost"),  # 'co' is dropped only as a whole word
        ("北京某某科技", "天津某某科技"),
        ("张三", "张四"),
    ],
)
def test_name_key_different(a, b):
    assert name_key(a) != name_key(b)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("北京市某某科技有限公司", "北京某某科技"),
        ("Acme, Inc.", "acme"),
        ("Ａｃｍｅ", "acme"),
        ("ＡＢＣ公司", "abc"),
        ("Costco", "costco"),
        ("A & B (China) Co., Ltd.", "abchina"),
        ("某某集团有限公司", "某某集团"),
        ("有限公司", "有限公司"),  # never stripped down to nothing
        ("Inc.", "inc"),
        ("...!!", ""),  # only punctuation
        ("【】，。！", ""),
        ("$%^ ~", ""),  # symbols
        ("", ""),
        ("   ", ""),
    ],
)
def test_name_key(name, expected):
    assert name_key(name) == expected


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("+86 138-0013-8000", "+8613800138000"),
        ("0086 13800138000", "+8613800138000"),
        ("008613800138000", "+8613800138000"),
        ("8613800138000", "+8613800138000"),
        ("138 0013 8000", "+8613800138000"),
        ("（+86）13800138000", "+8613800138000"),
        ("１３８００１３８０００", "+8613800138000"),  # full-width digits
        ("+86 (010) 6552-1234", "+861065521234"),  # a landline: the trunk 0 goes after +86
        ("010-6552 1234", "+861065521234"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("861380013800", "861380013800"),  # not a valid number: its digits only
        ("12345", "12345"),
        ("1234", None),
        ("tel: 12", None),
        ("", None),
        (None, None),
        ("no digits", None),
    ],
)
def test_phone_key(phone, expected):
    assert phone_key(phone) == expected


def test_phone_key_reads_a_number_without_country_code_in_the_given_region():
    # 415 555 2671 is a San Francisco number when the rep is in the US; the same digits typed in China
    # would be a Chinese landline, so the region decides.
    assert phone_key("(415) 555-2671", region="US") == "+14155552671"
    assert phone_key("13800138000", region="US") == "13800138000"  # not a US number: digits only
    assert phone_key("+86 138 0013 8000", region="US") == "+8613800138000"  # a country code wins


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("  Zhang.San@Example.COM ", "zhang.san@example.com"),
        ("zhang.san @ example.com", "zhang.san@example.com"),
        ("ＺＳ＠ＥＸＡＭＰＬＥ．ＣＮ", "zs@example.cn"),
        ("a@b.c", "a@b.c"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_email_key(email, expected):
    assert email_key(email) == expected


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("北京市", "北京"),
        ("北京", "北京"),
        ("广东省", "广东"),
        ("内蒙古自治区", "内蒙古"),
        ("广西壮族自治区", "广西"),
        ("宁夏回族自治区", "宁夏"),
        ("新疆维吾尔自治区", "新疆"),
        ("香港特别行政区", "香港"),
        ("北京市朝阳区", "北京朝阳区"),
        ("深圳市", "深圳"),
        (" 北京市　", "北京"),
        ("Beijing", "北京"),
        ("beijing shi", "北京"),
        ("BEIJING CITY", "北京"),
        ("Shanghai", "上海"),
        ("Shenzhen", "深圳"),
        ("Guangzhou", "广州"),
        ("Guangdong Province", "广东"),
        ("Hong Kong", "香港"),
        ("Hong Kong SAR", "香港"),
        ("Xi'an", "西安"),
        ("Shaanxi", "陕西"),
        ("Shanxi", "山西"),
        ("Ｂｅｉｊｉｎｇ", "北京"),
        ("California", "california"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_region_key(region, expected):
    assert region_key(region) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三", True),
        ("Acme 公司", True),
        ("\U00020000", True),  # extension B
        ("Acme", False),
        ("ＡＢＣ", False),
        ("こんにちは", False),  # kana are not CJK ideographs
        ("한국", False),
        ("", False),
    ],
)
def test_has_cjk(text, expected):
    assert has_cjk(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\x1b[31mred", "\\x1b[31mred"),
        ("[bold]x[/]", "[bold]x[/]"),
        ("a\nb\tc", "a\nb\tc"),
        ("a\rb", "a\\x0db"),
        ("\x00\x07\x7f", "\\x00\\x07\\x7f"),
        ("\x9b2J", "\\x9b2J"),  # C1 CSI
        ("张三 [link=x]", "张三 [link=x]"),
        ("", ""),
    ],
)
def test_visible(text, expected):
    assert visible(text) == expected


def test_import_is_light():
    """normalize is on hot paths: importing it loads only stdlib basics."""
    code = (
        "import sys, crmtui.core.normalize\n"
        "heavy = {'pypinyin', 'sqlalchemy', 'textual', 'rich'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
