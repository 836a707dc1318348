"""Builds a large, realistic crmtui database for the benchmarks (bench/bench_core.py and the other benches).

    .venv/bin/python bench/generate.py                     # 20k customers, 500k follow-ups, 10k deals -> out/big.db
    .venv/bin/python bench/generate.py --scale 5           # 100k customers, 2.5M follow-ups, 50k deals -> out/big5.db
    .venv/bin/python bench/generate.py --customers 2000 --follow-ups 50000 --deals 1000 --out /tmp/small.db

The schema comes from the real migrations (crmtui.store.db.open_database): tables, indexes, the FTS5 search
indexes and the triggers that fill them and the change history. Writing millions of rows through those triggers
costs one FTS5 segment a row (~1,000 rows/s), so the rows go in bare: the indexes and triggers are taken off first,
every table is inserted with the stdlib sqlite3 module in one transaction without a journal, then each insert
trigger's statement is run once for its whole table (the search indexes and change_log get the very rows, in the
same order, that the triggers would have written a row at a time), and the indexes and triggers are made again
from the statements the file held. At the end the file's schema is checked against the migrated one (the same
statements as store/schema.py compares) and the journal is back to WAL: the app opens it as any migrated file.
Rows are made in the order a real database would have them (customers by creation time, follow-ups by time:
rowids grow with time as in real use).

Values are stored exactly as the services store them: datetimes as naive UTC text
'YYYY-MM-DD HH:MM:SS.ffffff' (what SQLAlchemy writes for an aware UTC datetime), dates as
'YYYY-MM-DD', booleans as 0/1, name_key / phone_key / email_key / pinyin computed with the
same functions the services call. Times are relative to the moment of generation, so the
agenda has overdue rows, rows due today, stalled deals, new leads, renewals, payments and
birthdays. The outbox is left empty (synthetic data was never "typed"). Deterministic for a
given --seed and sizes (except the times, which follow the wall clock).
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import sqlite3
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from crmtui.core.normalize import email_key, has_cjk, name_key, phone_key
from crmtui.core.pinyin import search_keys
from crmtui.store.db import open_database
from crmtui.store.schema import schema_statements

OUT = Path(__file__).resolve().parent / "out"
DEFAULT_OUT = OUT / "big.db"
BASE_CUSTOMERS, BASE_FOLLOW_UPS, BASE_DEALS = 20_000, 500_000, 10_000  # --scale 1

# ------------------------------------------------------------------ vocabulary

# Surnames roughly by frequency: the first ones are drawn far more often (王李张刘陈 ≈ 30% of China).
SURNAMES_COMMON = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱"
SURNAMES_RARE = ("覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢岳齐梅莫庄辛管祝左涂谷祁"
                 "时舒耿牟卜路詹关苗凌费纪靳盛童甄项曲成游阳裴席卫查屈鲍位霍翁隋植甘景薄单包司柏宁柯阮桂闵解强华车"
                 "冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫来苟全褚廉简娄盖符奚木穆党燕郎邸冀谈姬屠连郜晏栾郁商蒙计喻"
                 "揭窦迟敖糜鄢冷卓花仇艾蓝都巩井练仲乐虞卞封竺冼原官衣楚佟栗匡宗应台巫鞠桑荆谌银明沙伏岑习胥保蔺")
COMPOUND = ["欧阳", "司马", "诸葛", "上官", "东方", "司徒", "慕容", "长孙"]
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
         "平", "刚", "桂英", "建华", "志强", "晓东", "海燕", "文博", "子涵", "欣怡", "浩然", "雨桐", "俊杰", "思远", "嘉怡",
         "宇轩", "梓萱", "三", "小红", "建国", "国强", "丽娟", "文静", "志刚", "海涛", "红梅", "建军", "春梅", "晓明", "玉兰",
         "凤英", "立新", "永刚", "佳琪", "一鸣", "子豪", "诗涵", "梦瑶", "博文", "天宇", "晨曦", "鹏", "斌", "辉", "宁", "珊"]
CITIES = ["北京", "上海", "深圳", "广州", "杭州", "成都", "武汉", "南京", "苏州", "西安", "重庆", "天津", "青岛", "厦门",
          "长沙", "合肥", "宁波", "无锡", "佛山", "东莞", "郑州", "济南", "福州", "昆明", "大连", "沈阳", "哈尔滨", "南昌",
          "贵阳", "温州"]
WORDS = ["华信", "恒通", "瑞达", "金桥", "博远", "启明", "鼎盛", "新锐", "万联", "天润", "中科", "腾跃", "汇丰", "嘉禾",
         "宏图", "蓝海", "云帆", "东方", "德邦", "智联", "星河", "远景", "泰和", "盛世", "海纳", "卓越", "创新", "精工",
         "联创", "诚信", "富达", "永安", "长城", "华夏", "明德", "普惠", "天成", "安信", "正大", "宏达", "众合", "伟业",
         "凯旋", "信达", "锦程", "恒瑞", "新世纪", "银河", "中天", "万达", "华润", "昌盛", "和谐", "通达", "巨人", "金鹰",
         "九州", "百川", "鸿运", "东升"]
TRADES = [("科技", "软件"), ("贸易", "贸易"), ("制造", "制造"), ("物流", "物流"), ("医疗器械", "医疗"), ("教育科技", "教育"),
          ("食品", "食品"), ("建材", "建筑"), ("新能源", "能源"), ("信息技术", "软件"), ("电子", "电子"), ("环保科技", "环保"),
          ("生物医药", "医疗"), ("供应链管理", "物流"), ("智能装备", "制造")]
CN_FORMS = ["有限公司"] * 6 + ["股份有限公司", "集团有限公司", "有限责任公司", ""]
DISTRICTS = ["朝阳", "海淀", "浦东", "南山", "天河", "西湖", "高新", "江北", "滨江", "经开"]
FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William",
         "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Daniel", "Karen", "Emma", "Oliver", "Sofia",
         "Liam", "Noah", "Ava", "Mia", "Lucas", "Chloe", "Ethan", "Grace", "Henry", "Lily", "Jack", "Zoe", "Leo", "Nora",
         "Kevin", "Amy", "Tony", "Jason", "Vivian", "Eric", "Cindy", "Frank", "Helen"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
        "Thomas", "Moore", "Martin", "Lee", "Walker", "Hall", "Young", "King", "Wright", "Lopez", "Hill", "Scott", "Green",
        "Baker", "Adams", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans",
        "Edwards", "Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Wong", "Chan", "Tan", "Lim", "Ng"]
EN_WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Hooli", "Vandelay", "Soylent", "Cyberdyne",
            "Tyrell", "Aperture", "Massive", "Dynamic", "Northwind", "Contoso", "Fabrikam", "Blue Sky", "Redwood", "Pioneer",
            "Summit", "Evergreen", "Silverline", "Bluefin", "Harbor", "Keystone", "Lighthouse", "Maple", "Nimbus", "Orion",
            "Pinnacle", "Quantum", "Riverside", "Sterling", "Titan", "Union", "Vertex", "Westfield", "Zenith", "Atlas",
            "Beacon", "Cascade", "Delta", "Eagle", "Falcon", "Granite", "Horizon", "Ironwood", "Juniper"]
EN_TRADES = [("Analytics", "software"), ("Logistics", "logistics"), ("Foods", "food"), ("Manufacturing", "manufacturing"),
             ("Health", "healthcare"), ("Energy", "energy"), ("Retail", "retail"), ("Labs", "software"),
             ("Systems", "software"), ("Trading", "trade"), ("Partners", "consulting"), ("Robotics", "manufacturing"),
             ("Media", "media"), ("Capital", "finance"), ("Devices", "electronics")]
EN_FORMS = ["Inc.", "Ltd", "LLC", "Co., Ltd.", "GmbH", "Pte Ltd", "", "", ""]
EN_REGIONS = ["London", "New York", "Singapore", "Hong Kong", "Sydney", "Berlin", "Toronto", "San Francisco", "Tokyo", "Dubai"]
SOURCES = ["referral", "inbound", "exhibition", "cold call", "转介绍", "官网", "展会", "老客户", "LinkedIn", "百度推广", "抖音"]
QUALITY_SOURCES = {"referral", "inbound", "转介绍", "老客户", "官网"}
PRODUCTS = ["CRM seats", "Data platform", "Annual support", "ERP module", "云服务器", "数据分析平台", "年度维保", "培训服务",
            "私有化部署", "API 接口包", "Security audit", "Cloud storage"]
TITLES_ZH = ["总经理", "采购经理", "技术总监", "财务总监", "运营主管", "IT经理", "副总裁", "董事长", "项目经理", "行政主管"]
TITLES_EN = ["CEO", "Head of Procurement", "CTO", "CFO", "Operations Manager", "IT Manager", "VP Sales", "Project Lead"]
TAGS = ["VIP", "重点", "展会", "老客户", "续约", "SaaS", "政府", "国企", "外企", "上市公司", "渠道", "KA"]
GOALS_ZH = ["确认需求", "演示产品", "发送方案", "报价沟通", "推动签约", "回访满意度", "约见决策人", "催收回款", "续约沟通",
            "技术交流", "商务谈判"]
GOALS_EN = ["Confirm needs", "Product demo", "Send proposal", "Discuss quote", "Push for signature", "Check satisfaction",
            "Meet the decision maker", "Chase payment", "Renewal talk", "Technical Q&A"]
NOTES_ZH = ["客户对价格比较敏感，希望有折扣", "对方技术团队认可方案，下周内部评审", "决策人出差，需要再约时间",
            "已发送资料，客户表示会转给老板", "竞争对手也在接触，需要突出服务优势", "客户预算已批，准备走采购流程",
            "电话未接通，微信留言", "现场演示顺利，提出两个定制需求", "采购部要求补充资质文件", "财务询问付款方式，倾向分三期",
            "对接人换了，新负责人还不熟悉项目", "客户希望先试用一个月", "合同条款法务还在审", "反馈系统响应慢，需要技术支持",
            "约了下周二上门拜访", "老板很重视这个项目", "报价偏高，需要重新核算成本", "客户提到明年扩大采购规模",
            "已寄出样品，等待测试结果", "对售后服务比较关心", "要求提供同行业案例", "IT 部门关心数据安全和私有化部署",
            "客户在对比两家供应商的 demo", "确认了 POC 的范围和时间表", "年底预算紧张，可能推迟到明年一季度",
            "对方总经理亲自参加了会议", "需要出一版详细的实施计划", "客户对上次的培训很满意", "回款有延迟，财务说月底前付",
            "微信沟通了几次，态度积极", "客户内部组织架构调整中", "提出要走招投标流程"]
NOTES_EN = ["Price sensitive; asked about a volume discount", "Their tech team liked the proposal",
            "Internal review next week", "Decision maker travelling, need to rebook",
            "Sent the deck; they will forward it to the boss", "A competitor is in; stress our support",
            "Budget approved, moving to procurement", "No answer, left a voicemail", "Demo went well, two custom requests",
            "Legal is still reviewing the contract terms", "Asked for a one-month trial",
            "New point of contact after a reorg", "Wants to pay in three instalments",
            "Concerned about onboarding time", "Mentioned expanding seats next year",
            "Requested references from similar customers", "IT asked about SSO and data residency",
            "Procurement wants a revised quote by Friday", "Pilot scope agreed with the project lead",
            "Payment is late; finance promised end of month", "Happy with the training last week",
            "Comparing us with two other vendors"]
PLANS_ZH = ["电话跟进评审结果", "发送修改后的报价", "约决策人面谈", "寄送合同草稿", "邀请参加线下活动", "确认付款进度",
            "安排技术交流会", "提交投标文件", "回访使用情况", "准备续约方案"]
PLANS_EN = ["Call about the review", "Send the revised quote", "Meet the decision maker", "Send the draft contract",
            "Invite to the user meetup", "Check on the payment", "Set up a technical workshop", "Follow up on the pilot"]
CHANNELS = ["phone", "phone", "phone", "wechat", "wechat", "wechat", "visit", "email", "meeting", "sms", "other"]
STAGES = [("initial", 10), ("needs", 20), ("proposal", 40), ("quote", 60), ("negotiation", 80), ("won", 100), ("lost", 0)]
STAGE_WEIGHTS = [20, 18, 15, 12, 8, 15, 12]
LOST_REASONS = ["price", "competitor", "no budget", "no decision", "timing", "no response", "预算不足", "选了竞品"]
COMPETITORS = [None, None, None, "Salesforce", "纷享销客", "销售易", "HubSpot", "Zoho", "用友", "金蝶"]

DAY = 86400.0
_UUID_KEEP = ~((0xC000 << 48) | (0xF000 << 64))  # the variant and version bits, set by uid() as uuid.UUID does
_UUID_SET = (0x8000 << 48) | (4 << 76)


_fromtimestamp = datetime.fromtimestamp


def ts(seconds: float) -> str:
    """Epoch seconds as SQLAlchemy stores an aware UTC datetime in SQLite (the text isoformat(" ") makes, made
    without it: a third faster, and a 5x build makes ~8 million)."""
    d = _fromtimestamp(seconds, UTC)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031 (the fastest way here)
        d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond)


def day_text(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).date().isoformat()


class Generator:
    """All the random choices, from one random.Random(seed)."""

    def __init__(self, seed: int, now: float) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self._pinyin: dict[tuple[str, bool], str] = {}
        self._word_pinyin: dict[str, str] = {}
        self._names: set[str] = set()
        self._phones: set[str] = set()
        self.last_city = ""

    def uid(self) -> str:
        """str(uuid.UUID(int=<128 random bits>, version=4)), the same text from the same draw, made without the
        UUID object (a third of the cost)."""
        bits = (self.rng.getrandbits(128) & _UUID_KEEP) | _UUID_SET
        h = "%032x" % bits  # noqa: UP031
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    # ---- keys, exactly as services.customers._apply_keys computes them

    def pinyin(self, name: str, person: bool) -> str:
        key = (name, person)
        value = self._pinyin.get(key)
        if value is None:
            value = search_keys(name, person=person) if has_cjk(name) else ""
            self._pinyin[key] = value
        return value

    def romanize(self, word: str) -> str:
        value = self._word_pinyin.get(word)
        if value is None:
            value = search_keys(word, person=False).split(" ")[0]
            self._word_pinyin[word] = value
        return value

    # ---- names

    def chinese_person(self) -> str:
        r = self.rng.random()
        if r < 0.01:
            surname = self.rng.choice(COMPOUND)
        elif r < 0.80:
            surname = SURNAMES_COMMON[min(int(self.rng.expovariate(1 / 18)), len(SURNAMES_COMMON) - 1)]
        else:
            surname = self.rng.choice(SURNAMES_RARE)
        return surname + self.rng.choice(GIVEN)

    def english_person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def chinese_company(self) -> tuple[str, str, str]:
        """(name, industry, romanized brand for emails); self.last_city is the city in the name."""
        rng = self.rng
        for attempt in range(200):
            city, word = rng.choice(CITIES), rng.choice(WORDS)
            trade, industry = rng.choice(TRADES)
            name = f"{city}{word}{trade}{rng.choice(CN_FORMS)}"
            if attempt > 20:
                name = f"{name}（{rng.choice(DISTRICTS)}分公司）"
            if name_key(name) not in self._names:
                self._names.add(name_key(name))
                self.last_city = city
                return name, industry, self.romanize(word)
        raise RuntimeError("ran out of company names")

    def english_company(self) -> tuple[str, str, str]:
        rng = self.rng
        for attempt in range(200):
            word = rng.choice(EN_WORDS)
            trade, industry = rng.choice(EN_TRADES)
            name = f"{word} {trade} {rng.choice(EN_FORMS)}".strip()
            if attempt > 20 or rng.random() < 0.3:
                name = f"{rng.choice(EN_WORDS)} {name}"
            if name_key(name) not in self._names:
                self._names.add(name_key(name))
                return name, industry, word.lower().replace(" ", "")
        raise RuntimeError("ran out of company names")

    def any_company(self, chinese: bool) -> str:
        """A company name for a person (not necessarily unique)."""
        rng = self.rng
        if chinese:
            trade, _ = rng.choice(TRADES)
            return f"{rng.choice(CITIES)}{rng.choice(WORDS)}{trade}有限公司"
        return f"{rng.choice(EN_WORDS)} {rng.choice(EN_TRADES)[0]}"

    # ---- reachability

    def phone(self, chinese: bool) -> str:
        rng = self.rng
        while True:
            if chinese or rng.random() < 0.3:
                digits = "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
                style = rng.random()
                if style < 0.6:
                    text = digits
                elif style < 0.8:
                    text = f"{digits[:3]} {digits[3:7]} {digits[7:]}"
                elif style < 0.9:
                    text = f"+86 {digits[:3]}-{digits[3:7]}-{digits[7:]}"
                else:
                    text = f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
            else:
                n = "".join(rng.choice("0123456789") for _ in range(8))
                text = rng.choice([f"+1 (415) {n[:3]}-{n[3:7]}", f"+44 20 {n[:4]} {n[4:]}", f"+65 {n[:4]} {n[4:]}",
                                   f"+1 212-{n[:3]}-{n[3:7]}", f"+852 {n[:4]} {n[4:]}"])
            key = phone_key(text)
            if key not in self._phones:
                self._phones.add(key)
                return text

    def person_email(self, name: str, chinese: bool, brand: str | None) -> str:
        rng = self.rng
        if chinese:
            local = self.pinyin(name, True).split(" ")[0] or "user"
            if rng.random() < 0.5 or brand is None:
                return f"{local}{rng.randint(1, 9999)}@{rng.choice(['163.com', 'qq.com', '126.com', 'foxmail.com', 'sina.com'])}"
            return f"{local}@{brand}.com.cn"
        first, _, last = name.partition(" ")
        domain = f"{brand}.com" if brand else rng.choice(["gmail.com", "outlook.com", "yahoo.com"])
        return f"{first.lower()}.{last.lower()}{rng.randint(1, 99) if rng.random() < 0.2 else ''}@{domain}"

    def wechat(self, name: str, chinese: bool, brand: str | None = None) -> str | None:
        rng = self.rng
        if rng.random() > (0.6 if chinese else 0.05):
            return None
        if rng.random() < 0.5:
            return "wxid_" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
        if brand:  # a company's account
            return brand + rng.choice(["_sales", "_kf", "888", "_official", "2024"])
        base = (self.pinyin(name, True).split(" ")[0] if chinese else name.split(" ")[0].lower()) or "wx"
        return f"{base}{rng.randint(1970, 2005)}"

    # ---- text

    def note(self, chinese: bool) -> str:
        rng = self.rng
        target = int(rng.triangular(20, 190, 50))
        pool = NOTES_ZH if chinese else NOTES_EN
        sep = "，" if chinese else ". "
        parts: list[str] = []
        length = 0
        for part in rng.sample(pool, 8):  # distinct sentences, as a rep would write them
            if parts and (length >= target or length + len(part) + len(sep) > 190):
                break
            parts.append(part)
            length += len(part) + len(sep)
        text = sep.join(parts) + ("。" if chinese else ".")
        if chinese and rng.random() < 0.15:
            text += rng.choice(["需要 follow up", "下次带上 demo", "对方提到 ROI", "抄送了 CTO"])
        return text


def generate(path: Path, customers: int, follow_ups: int, deals: int, seed: int) -> None:
    """Writes the database at `path` (replacing it), printing what each step took."""
    # Millions of rows are held until they are written and none of them is garbage: the cyclic collector's passes
    # over them free nothing and took most of the time of the in-memory steps at 5x.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _generate(path, customers, follow_ups, deals, seed)
    finally:
        if collecting:
            gc.enable()


def _generate(path: Path, customers: int, follow_ups: int, deals: int, seed: int) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    started, cpu_started = time.perf_counter(), time.process_time()
    database = open_database(path)  # the real migrations: tables, indexes, FTS5 tables and their triggers
    database.close()
    print(f"schema (real migrations): {time.perf_counter() - started:.2f} s -> {path}")

    now = time.time()
    g = Generator(seed, now)
    rng = g.rng
    today = datetime.fromtimestamp(now, UTC).date()

    # ------------------------------------------------------------ customers (in memory first)
    t0 = time.perf_counter()
    cust = []  # dicts of the row values plus generation-only fields
    for _ in range(customers):
        chinese = rng.random() < 0.6
        r = rng.random()
        status = ("lead" if r < 0.05 else "dormant" if r < 0.08 else "pool" if r < 0.10
                  else "customer" if r < 0.40 else "prospect")
        person = status == "lead" or rng.random() < 0.25
        if person:
            name = g.chinese_person() if chinese else g.english_person()
            company = g.any_company(chinese) if rng.random() < 0.8 else None
            industry, brand = None, None
        else:
            name, industry, brand = g.chinese_company() if chinese else g.english_company()
            company = None
        city = g.last_city if chinese and not person else rng.choice(CITIES)
        if status == "lead":
            # Leads are young: most arrived in the last month, some in the last day (speed-to-lead).
            created = now - rng.choice([rng.uniform(0.02, 1.0), rng.uniform(1, 30), rng.uniform(1, 30)]) * DAY
        else:
            created = now - rng.uniform(40, 1095) * DAY
        uncontacted = status == "lead" and rng.random() < 0.6
        phone = g.phone(chinese) if rng.random() < 0.9 else None
        email = g.person_email(name, chinese, brand) if person and rng.random() < 0.6 else (
            f"{rng.choice(['sales', 'info', 'contact', 'purchase', 'hr'])}@{brand}{'.com.cn' if chinese else '.com'}"
            if brand and rng.random() < 0.5 else None)
        open_status = status in ("lead", "prospect", "customer")
        next_at = now + rng.uniform(-60, 60) * DAY if open_status and not uncontacted else None
        if status == "pool" and rng.random() < 0.5:
            next_at = now - rng.uniform(60, 400) * DAY  # an old plan from before it went to the pool
        if next_at is not None:
            next_at = max(next_at, created + rng.uniform(1, 3) * DAY)  # planned after the first contact
        cust.append({
            "id": g.uid(), "created": created, "name": name, "kind": "person" if person else "company",
            "company": company, "industry": industry,
            "region": city if chinese else rng.choice(EN_REGIONS),
            "source": rng.choice(SOURCES) if rng.random() < 0.85 else None,
            "interest": rng.choice(PRODUCTS) if rng.random() < 0.7 else None,
            "phone": phone, "email": email, "wechat": g.wechat(name, chinese, brand), "status": status,
            "next": next_at, "deleted": now - rng.uniform(1, 300) * DAY if rng.random() < 0.01 else None,
            "chinese": chinese, "uncontacted": uncontacted, "brand": brand, "last": None, "contacts": [],
            "decision_maker": False, "owner": None if rng.random() < 0.9 else rng.choice(["王磊", "Emma", "李娜"]),
        })
    cust.sort(key=lambda c: c["created"])
    print(f"customers generated in memory: {time.perf_counter() - t0:.1f} s")

    conn = sqlite3.connect(path, isolation_level=None)
    migrated = schema_statements(conn)
    conn.execute("PRAGMA journal_mode = OFF")  # generation only: no rollback journal, no WAL; WAL again at the end
    conn.execute("PRAGMA synchronous = OFF")  # generation only; the app runs NORMAL
    conn.execute("PRAGMA cache_size = -1048576")  # 1 GB: the id indexes of 2.5M rows stay in memory
    conn.execute("PRAGMA temp_store = MEMORY")  # the sorts that make the indexes again
    conn.execute("PRAGMA threads = 2")
    deferred = Deferred(conn)
    stats: list[tuple[str, int, float]] = []

    def insert(table: str, columns: list[str], rows) -> int:
        """Inserts the rows, made as they go in (the time includes making them)."""
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        t = time.perf_counter()
        before = conn.total_changes
        conn.executemany(sql, rows)
        count = conn.total_changes - before
        elapsed = time.perf_counter() - t
        stats.append((table, count, elapsed))
        deferred.inserted(table)
        print(f"  {table:<18} {count:>10,} rows  {elapsed:7.1f} s  {count / elapsed if elapsed else 0:>10,.0f} rows/s")
        return count

    # ------------------------------------------------------------ contacts (~1.5 per customer)
    t0 = time.perf_counter()
    contact_rows = []
    for c in cust:
        n = 0 if c["kind"] == "person" and rng.random() < 0.7 else (1 if rng.random() < 0.6 else rng.randint(2, 4))
        for position in range(n):
            chinese = c["chinese"] if rng.random() < 0.95 else not c["chinese"]
            name = g.chinese_person() if chinese else g.english_person()
            created = c["created"] + rng.uniform(0, min(200, (now - c["created"]) / DAY)) * DAY
            cid = g.uid()
            c["contacts"].append(cid)
            phone = g.phone(chinese) if rng.random() < 0.8 else None
            email = g.person_email(name, chinese, c["brand"]) if rng.random() < 0.5 else None
            decision = position == 0 and rng.random() < 0.5
            c["decision_maker"] |= decision
            birthday = None
            if rng.random() < 0.15:
                birthday = date(rng.randint(1960, 2000), 1, 1) + timedelta(days=rng.randint(0, 364))
                if birthday.month == 2 and birthday.day == 29:
                    birthday = birthday - timedelta(days=1)
            contact_rows.append((
                cid, ts(created), ts(created), ts(c["deleted"]) if c["deleted"] else None, c["id"], name,
                name_key(name), g.pinyin(name, True), rng.choice(TITLES_ZH if chinese else TITLES_EN) if rng.random() < 0.8 else None,
                phone, phone_key(phone), email, email_key(email), g.wechat(name, chinese), int(decision),
                birthday.isoformat() if birthday else None,
            ))
    print(f"contacts generated in memory: {time.perf_counter() - t0:.1f} s")

    # ------------------------------------------------------------ follow-ups: (time, customer) first, sorted by time
    t0 = time.perf_counter()
    contactable = [i for i, c in enumerate(cust) if not c["uncontacted"]]
    # Up to the customer's next planned date (an overdue customer was last contacted before it), recent-weighted.
    bounds: dict[int, tuple[float, float]] = {}
    for ci in contactable:
        c = cust[ci]
        upper = min(now - 0.05 * DAY, (c["next"] - 2 * DAY) if c["next"] else now, c["deleted"] or now)
        lower = c["created"]
        if upper <= lower:
            upper = lower + 0.1 * DAY
        bounds[ci] = (upper, upper - lower)
    choice, draw = rng.choice, rng.random  # the same draws as before, looked up once (2.5 million rounds at 5x)
    plan_fu = []
    for _ in range(follow_ups):
        ci = choice(contactable)
        upper, span = bounds[ci]
        plan_fu.append((upper - span * draw() ** 1.7, ci))
    plan_fu.sort()
    last_index: dict[int, int] = {}
    for index, (at, ci) in enumerate(plan_fu):
        last_index[ci] = index
        cust[ci]["last"] = at
    print(f"follow-up times planned and sorted: {time.perf_counter() - t0:.1f} s")

    # ------------------------------------------------------------ deals, stage changes, contracts, payments
    t0 = time.perf_counter()
    deal_owners = [i for i, c in enumerate(cust) if c["status"] in ("prospect", "customer", "dormant", "pool")]
    customer_owners = [i for i in deal_owners if cust[i]["status"] == "customer"]
    deal_rows, change_rows, contract_rows, payment_rows = [], [], [], []
    contract_seq = 0
    for _ in range(deals):
        stage_index = rng.choices(range(len(STAGES)), STAGE_WEIGHTS)[0]
        stage, probability = STAGES[stage_index]
        ci = rng.choice(customer_owners if stage == "won" and rng.random() < 0.8 else deal_owners)
        c = cust[ci]
        age = (now - c["created"]) / DAY
        if stage in ("won", "lost"):
            entered = now - rng.uniform(0.5, min(365, age)) * DAY  # closed within the last year
        else:
            entered = now - min(rng.expovariate(1 / 25), age) * DAY  # open deals moved recently, some long ago
        created = entered if stage_index == 0 else c["created"] + rng.uniform(0, (entered - c["created"]) / DAY) * DAY
        if c["deleted"]:
            entered, created = min(entered, c["deleted"]), min(created, c["deleted"])
        amount = int(rng.lognormvariate(11.5, 1.0)) // 100 * 100 * 100 if rng.random() < 0.9 else None
        quoted = amount if stage_index >= 3 and stage != "lost" and amount else None
        expected_close = day_text(entered + rng.uniform(10, 120) * DAY) if rng.random() < 0.8 else None
        did = g.uid()
        deleted = c["deleted"] or (now - rng.uniform(1, 200) * DAY if rng.random() < 0.01 else None)
        deal_rows.append((
            did, ts(created), ts(max(entered, created)), ts(deleted) if deleted else None, c["id"],
            rng.choice(PRODUCTS) + (f" {rng.randint(10, 500)} seats" if rng.random() < 0.3 else ""), amount, quoted,
            expected_close, stage, probability, rng.choice(COMPETITORS),
            rng.choice(LOST_REASONS) if stage == "lost" else None, ts(entered),
        ))
        # The path through the stages up to this one (a lost deal is lost from some open stage).
        steps = [s for s, _ in STAGES[: stage_index + 1]] if stage != "lost" else [s for s, _ in STAGES[: rng.randint(1, 5)]] + ["lost"]
        if stage == "won":
            steps = [s for s, _ in STAGES[:5]] + ["won"]
        times = sorted(rng.uniform(created, entered) for _ in range(len(steps) - 2)) if len(steps) > 2 else []
        times = [created, *times, entered][: len(steps)] if len(steps) > 1 else [created]
        previous = None
        for step, when in zip(steps, times):
            change_rows.append((g.uid(), ts(when), ts(when), None, did, previous, step, ts(when)))
            previous = step
        if stage == "won":
            contract_seq += 1
            signed = datetime.fromtimestamp(entered, UTC).date()
            term = rng.choice([365, 365, 365, 180, 730, 90])
            end = signed + timedelta(days=term)
            total = amount or 10_000_00
            kid = g.uid()
            contract_rows.append((kid, ts(entered), ts(entered), None, did, c["id"],
                                  f"HT-{signed.year}-{contract_seq:05d}", total, signed.isoformat(), end.isoformat()))
            parts = rng.choice([1, 2, 2, 3, 4])
            for k in range(parts):
                due = signed + timedelta(days=30 + k * max(30, term // parts))
                if due < today - timedelta(days=3):
                    paid = due + timedelta(days=rng.randint(-5, 20)) if rng.random() < 0.92 else None
                    if paid and paid > today:
                        paid = today
                else:
                    paid = None
                payment_rows.append((g.uid(), ts(entered), ts(entered), None, kid, total // parts,
                                     due.isoformat(), paid.isoformat() if paid else None))
    print(f"deals generated in memory: {time.perf_counter() - t0:.1f} s")

    # ------------------------------------------------------------ insert
    print("inserting (indexes and triggers off; rows made as they go in):")
    conn.execute("BEGIN")
    insert_started = time.perf_counter()

    def customer_rows():
        for c in cust:
            person = c["kind"] == "person"
            score = ((20 if c["phone"] or c["email"] else 0) + (20 if c["interest"] else 0)
                     + (30 if c["source"] in QUALITY_SOURCES else 0) + (30 if c["decision_maker"] else 0))
            score = min(score, 100)
            updated = max(c["created"], c["last"] or 0)
            yield (
                c["id"], ts(c["created"]), ts(updated), ts(c["deleted"]) if c["deleted"] else None,
                c["name"], name_key(c["name"]), g.pinyin(c["name"], person), c["kind"], c["company"], c["industry"],
                c["region"], c["source"], c["interest"], c["phone"], phone_key(c["phone"]), c["email"],
                email_key(c["email"]), c["wechat"], c["status"], "A" if score >= 70 else "B" if score >= 40 else "C",
                score, c["owner"], ts(c["next"]) if c["next"] else None, ts(c["last"]) if c["last"] else None, None,
            )

    insert("customer", ["id", "created_at", "updated_at", "deleted_at", "name", "name_key", "pinyin", "kind", "company",
                        "industry", "region", "source", "interest", "phone", "phone_key", "email", "email_key", "wechat",
                        "status", "tier", "score", "owner", "next_follow_up_at", "last_contact_at", "merged_into"],
           customer_rows())
    insert("contact", ["id", "created_at", "updated_at", "deleted_at", "customer_id", "name", "name_key", "pinyin",
                       "title", "phone", "phone_key", "email", "email_key", "wechat", "decision_maker", "birthday"],
           contact_rows)
    tag_rows = []
    for c in cust:
        for tag in rng.sample(TAGS, k=rng.choice([0, 0, 1, 1, 2, 3])):
            tag_rows.append((g.uid(), ts(c["created"]), ts(c["created"]), None, c["id"], tag))
    insert("customer_tag", ["id", "created_at", "updated_at", "deleted_at", "customer_id", "tag"], tag_rows)
    insert("deal", ["id", "created_at", "updated_at", "deleted_at", "customer_id", "title", "amount_cents", "quoted_cents",
                    "expected_close", "stage", "probability", "competitor", "lost_reason", "stage_entered_at"], deal_rows)
    insert("deal_stage_change", ["id", "created_at", "updated_at", "deleted_at", "deal_id", "from_stage", "to_stage", "at"],
           change_rows)
    insert("contract", ["id", "created_at", "updated_at", "deleted_at", "deal_id", "customer_id", "number", "amount_cents",
                        "signed_on", "end_on"], contract_rows)
    insert("payment", ["id", "created_at", "updated_at", "deleted_at", "contract_id", "amount_cents", "due_on", "paid_on"],
           payment_rows)

    def follow_up_rows():
        draw, uniform, uid, note = rng.random, rng.uniform, g.uid, g.note  # looked up once: millions of rows
        for index, (at, ci) in enumerate(plan_fu):
            c = cust[ci]
            chinese = c["chinese"] if draw() < 0.9 else not c["chinese"]
            if last_index[ci] == index and c["next"] is not None:
                next_at = c["next"]  # the latest follow-up set the customer's next date
            else:
                next_at = at + uniform(2, 30) * DAY if draw() < 0.95 else None
            plan = choice(PLANS_ZH if chinese else PLANS_EN) if next_at else None
            when = ts(at)
            yield (
                uid(), when, when, None, c["id"],
                choice(c["contacts"]) if c["contacts"] and draw() < 0.4 else None, None, when,
                choice(CHANNELS), choice(GOALS_ZH if chinese else GOALS_EN), int(draw() < 0.6),
                note(chinese), plan, ts(next_at) if next_at else None,
            )

    insert("follow_up", ["id", "created_at", "updated_at", "deleted_at", "customer_id", "contact_id", "deal_id", "at",
                         "channel", "goal", "goal_met", "notes", "next_plan", "next_at"], follow_up_rows())
    insert_elapsed = time.perf_counter() - insert_started
    total_rows = sum(count for _, count, _ in stats)
    print(f"inserted {total_rows:,} rows in {insert_elapsed:.1f} s ({total_rows / insert_elapsed:,.0f} rows/s)")
    print("what the insert triggers write, a statement a table (search indexes, change_log):")
    deferred.replay(stats)
    print("indexes and triggers made again:")
    deferred.restore()
    conn.execute("COMMIT")
    t = time.perf_counter()
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if schema_statements(conn) != migrated:
        raise SystemExit("the schema differs from the migrated one: the generator left something out")
    if mode != "wal":
        raise SystemExit(f"journal mode {mode}: the app's files are WAL")
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    conn.close()
    size = path.stat().st_size
    print(f"schema checked: same statements as the migrated file (revision {revision(path)}), journal WAL, "
          f"{free} free pages ({time.perf_counter() - t:.1f} s); file {size / 1e6:,.0f} MB")
    total = time.perf_counter() - started
    made = next(count for table, count, _ in stats if table == "follow_up")
    cpu = time.process_time() - cpu_started
    print(f"total {total:.1f} s ({total / 60:.1f} min), CPU {cpu:.1f} s (SQLite's sorting threads included; on a "
          f"shared machine the wall time is what the load leaves); {made / total:,.0f} follow-ups a second end to end")


def revision(path: Path) -> str:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])


_INSERT_TRIGGER = re.compile(
    r"CREATE TRIGGER \w+ AFTER INSERT ON (\w+) BEGIN\s+INSERT INTO (\w+)\s*\(([^)]*)\)\s*VALUES\s*\((.*)\);\s*END",
    re.IGNORECASE | re.DOTALL)


FTS_HASH_SIZE = 512 * 1024 * 1024
"""Bytes of pending terms an FTS5 index of a large table holds in memory while it is filled (its default is 1 MB;
measured on the 500,000 notes: 6.6 s of CPU with 64 MB, 5.6 s with 512 MB, twice that with 1 MB)."""
FTS_LARGE_TABLE = 200_000
"""Rows from which a table's search index is filled with FTS_HASH_SIZE."""


class Deferred:
    """The file's indexes and triggers, taken off while the rows go in and made again afterwards from the very
    statements the file held, in their order (so the schema is the migrated one, statement for statement).

    Each insert trigger (INSERT INTO target (...) VALUES (new.x, ...)) becomes one INSERT ... SELECT over its
    table (`new` the table's alias), run once the table is filled: the same rows, in the table's rowid order,
    and the tables in the order they were filled, so change_log's sequence is the one the triggers make."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.statements: list[tuple[str, str, str]] = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
            " ORDER BY rowid").fetchall()
        self.replays: dict[str, list[tuple[str, str]]] = {}
        for kind, name, sql in self.statements:
            if kind == "trigger" and " AFTER INSERT ON " in sql.upper():
                match = _INSERT_TRIGGER.fullmatch(sql.strip())
                if match is None:
                    raise SystemExit(f"trigger {name} is not one INSERT ... VALUES: teach the generator to replay it")
                table, target, columns, values = match.groups()
                self.replays.setdefault(table, []).append((target, (
                    f"INSERT INTO {target} ({columns}) SELECT {values} FROM main.{table} AS new ORDER BY new.rowid")))
        self.filled: list[str] = []
        for kind, name, _ in self.statements:
            conn.execute(f"DROP {kind.upper()} {name}")

    def inserted(self, table: str) -> None:
        if table not in self.filled:
            self.filled.append(table)

    def replay(self, stats: list[tuple[str, int, float]]) -> None:
        fts = {name for (name,) in self.conn.execute("SELECT name FROM pragma_table_list WHERE type = 'virtual'")}
        sizes = {table: count for table, count, _ in stats}
        for table in self.filled:
            for target, statement in self.replays.get(table, []):
                t = time.perf_counter()
                # An FTS5 index writes a segment each time its pending terms pass 'hashsize' (1 MB), then merges
                # them: a larger one for this statement halves the time of a large table (the notes), and slows a
                # small one (measured: 28,800 contacts 0.56 s of CPU against 0.37 s). The setting is removed
                # afterwards (its row in the index's config table), so the file holds a new index's configuration.
                larger = target in fts and sizes.get(table, 0) >= FTS_LARGE_TABLE
                if larger:
                    self.conn.execute(f"INSERT INTO {target} ({target}, rank) VALUES ('hashsize', {FTS_HASH_SIZE})")
                count = self.conn.execute(statement).rowcount
                if larger:
                    self.conn.execute(f"DELETE FROM {target}_config WHERE k = 'hashsize'")
                elapsed = time.perf_counter() - t
                stats.append((f"{target} <- {table}", count, elapsed))
                print(f"  {target + ' <- ' + table:<34} {count:>10,} rows  {elapsed:7.1f} s  "
                      f"{count / elapsed if elapsed else 0:>10,.0f} rows/s")

    def restore(self) -> None:
        spent: dict[str, float] = {}
        for kind, name, sql in self.statements:
            t = time.perf_counter()
            self.conn.execute(sql)
            seconds = time.perf_counter() - t
            spent[kind] = spent.get(kind, 0.0) + seconds
            if seconds >= 2:
                print(f"      {name:<34} {seconds:7.1f} s")
        for kind, seconds in spent.items():
            count = sum(1 for k, _, _ in self.statements if k == kind)
            print(f"  {count:>3} {kind} statements  {seconds:7.1f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1,
                        help="times the default sizes (20k customers, 500k follow-ups, 10k deals); the file is "
                             "out/big.db at 1, out/big<N>.db otherwise")
    parser.add_argument("--customers", type=int)
    parser.add_argument("--follow-ups", type=int)
    parser.add_argument("--deals", type=int)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale: expected a whole number of at least 1")
    customers = args.customers or BASE_CUSTOMERS * args.scale
    follow_ups = args.follow_ups or BASE_FOLLOW_UPS * args.scale
    deals = args.deals or BASE_DEALS * args.scale
    out = args.out or (DEFAULT_OUT if args.scale == 1 else OUT / f"big{args.scale}.db")
    print(f"generating {customers:,} customers, {follow_ups:,} follow-ups, {deals:,} deals (seed {args.seed})")
    generate(out.resolve(), customers, follow_ups, deals, args.seed)


if __name__ == "__main__":
    sys.exit(main())
