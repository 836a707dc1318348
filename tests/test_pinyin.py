"""Tests of crmtui.core.pinyin: pinyin keys of Chinese names, surnames read right."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crmtui.core.pinyin import pinyin_keys, search_keys

SRC = Path(__file__).resolve().parent.parent / "src"


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("单田芳", "shantianfang", "stf"),
        ("曾国藩", "zengguofan", "zgf"),
        ("解缙", "xiejin", "xj"),
        ("区志强", "ouzhiqiang", "ozq"),
        ("仇英", "qiuying", "qy"),
        ("查良镛", "zhaliangyong", "zly"),
        ("朴树", "piaoshu", "ps"),  # 朴 as a surname is piao, not pu
        ("欧阳修", "ouyangxiu", "oyx"),
        ("乐嘉", "yuejia", "yj"),
        ("长孙无忌", "zhangsunwuji", "zswj"),  # compound before 长 chang
        ("尉迟恭", "yuchigong", "ycg"),
        ("万俟卨", "moqixie", "mqx"),
        ("覃琴", "qinqin", "qq"),
        ("翟天临", "zhaitianlin", "ztl"),
        ("老单", "laoshan", "ls"),  # familiar form: 老 + surname
        ("小曾", "xiaozeng", "xz"),
        ("吕布", "lvbu", "lb"),  # ü is written v, as pypinyin does
        ("张　三", "zhangsan", "zs"),  # spaces (here ideographic) are dropped
        ("张三（销售）", "zhangsanxiaoshou", "zsxs"),
    ],
)
def test_person_names(name, full, initials):
    assert pinyin_keys(name) == (full, initials)


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("单位测试", "danweiceshi", "dwcs"),  # no surname table for companies
        ("重庆银行", "chongqingyinhang", "cqyh"),  # pypinyin's phrases: chong, hang
        ("曾经科技", "cengjingkeji", "cjkj"),
    ],
)
def test_company_names(name, full, initials):
    assert pinyin_keys(name, person=False) == (full, initials)


def test_surname_table_applies_to_persons_only():
    assert pinyin_keys("单位测试", person=True)[0] == "shanweiceshi"
    assert pinyin_keys("单位测试", person=False)[0] == "danweiceshi"


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        # Latin words and digits are kept whole, lower-cased, in both keys.
        ("李Lily", "lilily", "llily"),
        ("Lily 李", "lilyli", "lilyl"),  # the first CJK run still starts with the surname
        ("A张三", "azhangsan", "azs"),
        ("ＡＢＣ张三", "abczhangsan", "abczs"),  # full-width folded first
        ("张三2", "zhangsan2", "zs2"),
    ],
)
def test_mixed_names(name, full, initials):
    assert pinyin_keys(name) == (full, initials)


@pytest.mark.parametrize("name", ["Acme", "", "   ", "123", "こんにちは"])
def test_no_cjk_gives_empty_keys(name):
    assert pinyin_keys(name) == ("", "")
    assert search_keys(name) == ""


def test_search_keys():
    keys = search_keys("张三")
    assert keys == "zhangsan zs zhang san"
    for needle in ("zs", "zhangsan", "zhang san", "san", "zhang"):
        assert needle in keys


def test_search_keys_uses_surname_table_and_person_flag():
    assert search_keys("单田芳") == "shantianfang stf shan tian fang"
    assert search_keys("单位测试", person=False) == "danweiceshi dwcs dan wei ce shi"
    assert "lily" in search_keys("李Lily")


def test_import_does_not_load_pypinyin():
    """Importing the module must not pay for pypinyin (~0.24 s, ~58 MB)."""
    code = "import sys, crmtui.core.pinyin\nprint('pypinyin' in sys.modules)\n"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
