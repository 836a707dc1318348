"""A realistic, deterministic sample for newcomers: ~200 customers, six months of follow-ups, every stage, and a
year of closed history behind them (won and lost deals, paid and overdue instalments) so every report has figures.

The sample is made as a rep's work would be, with a clock walked through the past: every record is made and
checked by the services' own rules (fields, search keys, scores, gates, next dates in the future at the time of
logging) and every rule that follows a change (a contact rescores its customer, a follow-up moves its next date)
changes it. The records are held in memory as they are made and written at the end in one transaction by the
store's bulk writer, with one outbox mutation each, as the services would have queued them. The book is the same
as the one the services would write call by call (tests/test_demo.py builds both and compares them row by row).
"""

from __future__ import annotations

import gc
import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import partial

from crmtui.core.clock import Clock
from crmtui.core.errors import NotAllowed
from crmtui.core.formatting import parse_amount
from crmtui.services import history
from crmtui.services.context import Context
from crmtui.services.customers import (
    apply_customer_changes, clean_tags, contact_added, customer_changes, customer_edited, new_contact, new_customer,
)
from crmtui.services.deals import PaymentPlan, StageMove, apply_move, check_move, deal_opened, new_deal
from crmtui.services.follow_ups import draft_follow_up, follow_up_row
from crmtui.store.bulk import BulkWriter, has_customers
from crmtui.store.follow_ups import CustomerState, customer_changes as follow_up_changes
from crmtui.core.pinyin import search_keys
from crmtui.store.models import Contact, Contract, Customer, CustomerTag, Deal, Payment, new_id

SEED = 20261124
CUSTOMERS = 200

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢岳齐梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧阳解强柴华车冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫来苟全褚廉简娄盖符奚木穆党燕郎邸冀谈姬屠连郜晏栾郁商蒙计喻揭窦迟宇敖糜鄢冷卓花仇艾蓝都巩稽井练仲乐虞卞封竺冼原官衣楚佟栗匡宗应台巫鞠桑荆谌银扬明沙薄伏岑习胥保和蔺"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平",
         "刚", "桂英", "建华", "志强", "晓东", "海燕", "文博", "子涵", "欣怡", "浩然", "雨桐", "俊杰", "思远", "嘉怡", "宇轩", "梓萱"]
CITIES = ["北京", "上海", "深圳", "广州", "杭州", "成都", "武汉", "南京", "苏州", "西安", "重庆", "天津", "青岛", "厦门", "长沙", "合肥"]
WORDS = ["华信", "恒通", "瑞达", "金桥", "博远", "启明", "鼎盛", "新锐", "万联", "天润", "中科", "腾跃", "汇丰", "嘉禾", "宏图", "蓝海",
         "云帆", "东方", "德邦", "智联", "星河", "远景", "泰和", "盛世"]
TRADES = [("科技", "软件"), ("贸易", "贸易"), ("制造", "制造"), ("物流", "物流"), ("医疗器械", "医疗"), ("教育科技", "教育"),
          ("食品", "食品"), ("建材", "建筑"), ("新能源", "能源"), ("信息技术", "软件")]
FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William",
         "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Daniel", "Karen", "Emma", "Oliver", "Sofia"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson", "Anderson", "Taylor",
        "Thomas", "Moore", "Martin", "Lee", "Walker", "Hall", "Young", "King", "Wright", "Lopez", "Hill", "Scott"]
EN_WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Hooli", "Vandelay", "Soylent", "Cyberdyne",
            "Tyrell", "Aperture", "Massive", "Dynamic", "Northwind", "Contoso", "Fabrikam", "Blue Sky", "Redwood", "Pioneer",
            "Summit", "Evergreen", "Silverline"]
EN_TRADES = [("Analytics", "software"), ("Logistics", "logistics"), ("Foods", "food"), ("Manufacturing", "manufacturing"),
             ("Health", "healthcare"), ("Energy", "energy"), ("Retail", "retail"), ("Labs", "software")]
SOURCES = ["referral", "inbound", "exhibition", "cold call", "转介绍", "官网", "展会", "老客户", "LinkedIn"]
PRODUCTS = ["CRM seats", "Data platform", "Annual support", "ERP module", "云服务器", "数据分析平台", "年度维保", "培训服务"]
TITLES_ZH = ["总经理", "采购经理", "技术总监", "财务总监", "运营主管", "IT经理", "副总裁"]
TITLES_EN = ["CEO", "Head of Procurement", "CTO", "CFO", "Operations Manager", "IT Manager", "VP Sales"]
GOALS = [("确认需求", "Confirm needs"), ("演示产品", "Product demo"), ("发送方案", "Send proposal"), ("报价沟通", "Discuss quote"),
         ("推动签约", "Push for signature"), ("回访满意度", "Check satisfaction"), ("约见决策人", "Meet the decision maker")]
NOTES_ZH = ["客户对价格比较敏感，希望有折扣。", "对方技术团队认可方案，下周内部评审。", "决策人出差，需要再约时间。",
            "已发送资料，客户表示会转给老板。", "竞争对手也在接触，需要突出服务优势。", "客户预算已批，准备走采购流程。",
            "电话未接通，微信留言。", "现场演示顺利，提出两个定制需求。"]
NOTES_EN = ["Price sensitive; asked about a volume discount.", "Their tech team liked the proposal; internal review next week.",
            "Decision maker travelling, need to rebook.", "Sent the deck; they will forward it to the boss.",
            "A competitor is in; stress our support.", "Budget approved, moving to procurement.",
            "No answer; left a voicemail.", "Demo went well; two custom requests."]
PLANS_ZH = ["电话跟进评审结果", "发送修改后的报价", "约决策人面谈", "寄送合同草稿", "邀请参加线下活动", "确认付款进度"]
PLANS_EN = ["Call about the review", "Send the revised quote", "Meet the decision maker", "Send the draft contract",
            "Invite to the user meetup", "Check on the payment"]
CHANNELS = ["phone", "wechat", "visit", "email", "meeting", "sms", "phone", "wechat"]

HISTORY_SEED = SEED + 1
"""The year of history has its own generator: the six-month sample above stays exactly as it was."""
HISTORY_CUSTOMERS = 60
CLOSED_BEFORE = 32
"""Days: the history's deals all closed before the board's last-30-days Won and Lost columns."""
COMPETITORS = ["Salesforce", "纷享销客", "销售易", "HubSpot", "用友", "Zoho"]
LOST_REASONS = ["price", "competitor", "预算不足", "timing", "no decision", "选了竞品"]


class WalkingClock(Clock):
    """A clock the loader sets to each moment of the made-up past."""

    def __init__(self, base: Clock) -> None:
        super().__init__(base.zone)
        self.moment = base.now()

    def now(self) -> datetime:
        return self.moment.astimezone(self.zone)

    def utcnow(self) -> datetime:
        return self.to_utc(self.moment)


class SampleBook:
    """The sample as it is made: the services' rules applied to records held in memory, staged for one write.

    Its methods take what the services of the same names take (tests build the sample through the services
    themselves with an object of the same shape, and compare)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.writer = BulkWriter()
        self._customers: dict[str, Customer] = {}
        self._newest: dict[str, datetime] = {}
        """Each customer's newest follow-up moment, as insert_follow_up reads it from the store."""
        self._contacts: dict[str, list[Contact]] = {}
        self._deals: dict[str, Deal] = {}
        self._numbers: set[str] = set()
        self._payments: dict[str, list[Payment]] = {}
        """Each contract number's instalments, earliest due first (as the plan made them)."""

    def add_customer(self, name: str, *, tags: list[str] | None = None, force: bool = False,
                     **values: str | None) -> Customer:
        customer = new_customer(self.ctx, name, **values)  # type: ignore[arg-type]
        self.writer.add(customer, customer.created_at)
        for tag in clean_tags(tags or []):
            self.writer.add_values(CustomerTag, {"customer_id": customer.id, "tag": tag, "created_at": customer.created_at,
                                                 "updated_at": customer.created_at, "deleted_at": None},
                                   customer.created_at)
        self._customers[customer.id] = customer
        self._contacts[customer.id] = []
        return customer

    def add_contact(self, customer_id: str, name: str, *, force: bool = False, **values: object) -> Contact:
        contact = new_contact(self.ctx, customer_id, name, **values)  # type: ignore[arg-type]
        contact_added(self.ctx, self._customers[customer_id], self._contacts[customer_id], contact)
        self._contacts[customer_id].append(contact)
        self.writer.add(contact, contact.created_at)
        return contact

    def add_deal(self, customer_id: str, title: str, **values: object) -> Deal:
        deal, change = new_deal(self.ctx, customer_id, title, **values)  # type: ignore[arg-type]
        deal_opened(self._customers[customer_id], deal)
        self.writer.add(deal, deal.created_at)
        self.writer.add(change, deal.created_at)
        self._deals[deal.id] = deal
        return deal

    def move_stage(self, deal_id: str, stage: str, *, amount: str | None = None, contract_no: str | None = None,
                   signed: date | None = None, end: date | None = None, payments: list[PaymentPlan] | None = None,
                   reason: str | None = None) -> Deal:
        deal = self._deals[deal_id]
        move = StageMove(self.ctx.settings.stage(stage), parse_amount(amount), contract_no, signed, end,
                         payments or [], reason)
        check_move(deal, move, stage, self.ctx.settings)
        assert deal.stage != "won", "the sample never reopens a won deal (that voids a written contract)"
        now = self.ctx.clock.utcnow()
        number = ""
        for record in apply_move(self.ctx, deal, self._customers[deal.customer_id], move, self._numbers.__contains__):
            if isinstance(record, Contract):
                self._numbers.add(record.number)
                self._payments[record.number] = []
                number = record.number
            elif isinstance(record, Payment):
                self._payments[number].append(record)
            self.writer.add(record, now)
        return deal

    def mark_paid(self, customer_id: str, *, contract_no: str, paid_on: date) -> Payment:
        """The earliest unpaid instalment of the contract marked paid (the sample names the contract and a day
        between its signing and today)."""
        payment = next(p for p in sorted(self._payments[contract_no], key=lambda p: p.due_on) if p.paid_on is None)
        payment.paid_on = paid_on
        payment.updated_at = self.ctx.clock.utcnow()
        return payment

    def log_follow_up(self, customer_id: str, **values: object) -> None:
        draft = draft_follow_up(self.ctx, **values)  # type: ignore[arg-type]
        customer = self._customers[customer_id]
        now = self.ctx.clock.utcnow()
        row = follow_up_row(self.ctx, draft, now, customer_id, CustomerState(customer.name, customer.status, False),
                            None, None, lambda _table, _id: False)
        row.id = new_id()
        self.writer.add_follow_up(row, now)
        self._newest[customer_id] = max(row.at, self._newest.get(customer_id, row.at))
        for name, value in follow_up_changes(row, now, self._newest.get(customer_id)).items():
            setattr(customer, name, value)

    def edit_customer(self, customer_id: str, changes: dict[str, object]) -> None:
        customer = self._customers[customer_id]
        apply_customer_changes(customer, customer_changes(self.ctx, changes))
        customer_edited(self.ctx, customer, self._contacts[customer_id])


@history.recorded(history.DEMO_WHAT, source="demo")
def load_demo(ctx: Context, book: type[SampleBook] = SampleBook) -> dict[str, int]:
    """Fills an empty database; refuses one that has any customer.

    The sample is made as of midnight starting the rep's today, not the current moment: the same day
    gives the same sample whatever the hour (the hour decided how many follow-ups fitted before "now",
    and with them every random draw after), and nothing in it lies in the future.
    """
    if ctx.settings.sync.configured:  # its sample customers would go to the team's server at the next sync
        raise NotAllowed("this laptop syncs with a team server; `crm demo` fills only a book of your own: try it"
                         " with another CRMTUI_HOME")
    with ctx.db.raw_read() as connection:  # not the ORM's: the demo never needs its engine
        if has_customers(connection):
            raise NotAllowed("the database already has data; `crm demo` only fills an empty one")
    # The sample is some 10,000 objects that all live until the write: the cyclic garbage collector's passes over
    # them (and over everything the ORM has loaded) free nothing and cost a tenth of the build.
    collecting = gc.isenabled()
    gc.disable()
    try:
        counts = _build(ctx, book)
    finally:
        if collecting:
            gc.enable()
    return counts


def _build(ctx: Context, book: type[SampleBook]) -> dict[str, int]:
    """Makes the sample in memory, then writes it in one transaction."""
    rng = random.Random(SEED)
    _USED.clear()
    real_now = datetime.combine(ctx.clock.today(), time(0), ctx.clock.zone)
    clock = WalkingClock(ctx.clock)
    sample = book(Context(db=ctx.db, settings=ctx.settings, clock=clock))
    counts = {"customers": 0, "contacts": 0, "deals": 0, "follow_ups": 0}
    for index in range(CUSTOMERS):
        _one_customer(sample, clock, rng, index, real_now, counts)
    history_rng = random.Random(HISTORY_SEED)
    for index in range(HISTORY_CUSTOMERS):
        _history_customer(sample, clock, history_rng, index, real_now, counts)
    with ctx.db.raw_write(ctx.clock.utcnow()) as (connection, outbox):
        sample.writer.write(connection, outbox)
    return counts


def _office_hours(moment: datetime, rng: random.Random) -> datetime:
    """The same day at a plausible working time (reps do not call at 3 am)."""
    return moment.replace(hour=rng.randint(9, 17), minute=rng.choice([0, 15, 30, 45]), second=0, microsecond=0)


def _at(day: date, hour: int, minute: int, clock: Clock) -> datetime:
    return datetime.combine(day, time(hour, minute), clock.zone)


def _one_customer(book: SampleBook, clock: WalkingClock, rng: random.Random, index: int, now: datetime,
                  counts: dict[str, int]) -> None:
    chinese = index % 5 < 3
    age_days = rng.randint(1, 180) if index >= 12 else 0
    created = now - timedelta(days=age_days, hours=rng.randint(1, 8))
    clock.moment = created
    if index < 12:
        # Fresh leads: some within the speed-to-lead window, most past it.
        clock.moment = now - timedelta(hours=[2, 5, 30, 40, 50, 60, 70, 80, 26, 28, 36, 90][index])
        person = _person(rng, chinese)
        company, _industry = _company(rng, chinese)
        book.add_customer(person, status="lead", kind="person", company=company, phone=_phone(rng, index),
                     source=rng.choice(SOURCES), interest=rng.choice(PRODUCTS), force=True)
        counts["customers"] += 1
        return
    name, industry = _company(rng, chinese)
    customer = book.add_customer(
        name, status="prospect", company=None, phone=_phone(rng, index), email=_email(rng, index, chinese),
        wechat=f"wx_{index:04d}" if chinese else None, source=rng.choice(SOURCES), interest=rng.choice(PRODUCTS),
        industry=industry, region=_city_of(name) if chinese else rng.choice(["London", "New York", "Singapore"]),
        tags=rng.sample(["VIP", "重点", "展会", "老客户", "续约", "SaaS"], k=rng.randint(0, 2)), force=True,
    )
    counts["customers"] += 1
    for position in range(rng.randint(1, 3)):
        # Day 28 at most: 29 February does not exist in most birth years.
        birthday = date(1970 + rng.randint(0, 30), now.month, min(now.day, 28)) + timedelta(days=rng.randint(-3, 10)) \
            if rng.random() < 0.08 else None
        book.add_contact(customer.id, _person(rng, chinese),
                    title=rng.choice(TITLES_ZH if chinese else TITLES_EN), phone=_phone(rng, 1000 + index * 3 + position),
                    decision_maker=position == 0 and rng.random() < 0.6, birthday=birthday, force=True)
        counts["contacts"] += 1

    # Follow-ups every 5-25 days from creation until about now.
    moment = _office_hours(created + timedelta(days=rng.randint(0, 3)), rng)
    # Never a follow-up in the future: a new customer's first call is already behind us.
    moment = max(created, min(moment, now - timedelta(minutes=45)))
    deal = None
    stages = [s.key for s in book.ctx.settings.stages]
    target_stage = rng.choice(stages[:5] * 3 + ["won", "won", "lost"])
    dormant = rng.random() < 0.04
    logged: datetime | None = None
    while True:
        gap = timedelta(days=rng.randint(5, 25))
        next_at = _office_hours(moment + gap, rng)
        last = next_at > now - timedelta(days=2)
        clock.moment = moment
        if deal is None and moment > created + timedelta(days=3):
            close = (moment + timedelta(days=rng.randint(30, 120))).date()
            if target_stage not in ("won", "lost"):
                # A rep moves a slipping deal's close date on: most open deals close ahead, a few are late.
                # Drawn from the customer's own generator, so the rest of the sample stays as it was.
                slip = random.Random(f"close-{index}").randint(-20, 90)
                close = max(close, (now + timedelta(days=slip)).date())
            deal = book.add_deal(customer.id, rng.choice(PRODUCTS), amount=str(rng.randint(2, 80) * 5000),
                            close=close)
            counts["deals"] += 1
        elif deal is not None and deal.stage != target_stage and rng.random() < 0.5:
            deal = _advance(book, deal, target_stage, stages, rng, index, moment)
        # The last follow-up decides the agenda: overdue, due today, or ahead.
        if last:
            roll = rng.random()
            if roll < 0.25:
                next_at = _office_hours(now - timedelta(days=rng.randint(1, 12)), rng)
            elif roll < 0.4:
                next_at = _at(now.date(), rng.choice([10, 14, 16, 17]), rng.choice([0, 30]), clock)
            else:
                next_at = _office_hours(now + timedelta(days=rng.randint(1, 20)), rng)
            next_at = max(next_at, moment + timedelta(hours=1))
            if roll >= 0.25 and rng.random() < 0.15:
                # Stalling: no contact for a while (yet after the follow-up before, which would stay the newest).
                moment = _office_hours(now - timedelta(days=rng.randint(9, 20)), rng)
                if logged is not None:
                    moment = max(moment, logged + timedelta(hours=1))
                clock.moment = moment
        zh = chinese
        goal = rng.choice(GOALS)[0 if zh else 1]
        book.log_follow_up(customer.id, channel=rng.choice(CHANNELS), goal=goal, goal_met=rng.random() < 0.6,
                      notes=rng.choice(NOTES_ZH if zh else NOTES_EN), next_plan=rng.choice(PLANS_ZH if zh else PLANS_EN),
                      next_at=next_at)
        counts["follow_ups"] += 1
        logged = moment
        if last:
            break
        moment = next_at + timedelta(minutes=rng.choice([-90, -30, 0, 20, 45, 120]), days=rng.choice([0, 0, 0, 1]))
        if moment >= now - timedelta(hours=3):
            break
    if dormant:
        clock.moment = now - timedelta(hours=1)
        book.edit_customer(customer.id, {"status": "dormant"})


def _advance(book: SampleBook, deal, target: str, stages: list[str], rng: random.Random, index: int,  # type: ignore[no-untyped-def]
             moment: datetime):
    """One step towards the target stage, filling each gate."""
    position = stages.index(deal.stage)
    if target == "lost" and rng.random() < 0.5 or target == "lost" and position >= 4:
        return book.move_stage(deal.id, "lost", reason=rng.choice(["price", "competitor", "预算不足", "timing"]))
    if target in ("won", "lost"):
        following = "won" if position >= 4 else stages[position + 1]
    else:
        following = stages[position + 1]
    if following == "won":
        signed = moment.date()
        end = signed + timedelta(days=rng.choice([90, 180, 365]))
        return book.move_stage(deal.id, "won", contract_no=f"HT-{moment.year}-{index:04d}", signed=signed, end=end,
                          payments=[PaymentPlan(str((deal.amount_cents or 100000) // 200), signed + timedelta(days=30)),
                                    PaymentPlan(str((deal.amount_cents or 100000) // 200), signed + timedelta(days=rng.choice([60, 120])))])
    amount = str((deal.amount_cents or 100000) // 100) if following == "quote" else None
    return book.move_stage(deal.id, following, amount=amount)


HISTORY_PROFILES = ("loyal", "quiet", "lost", "converted", "cold lead", "mixed")
"""The kinds of customer the year behind the sample holds, in turn: a buyer who keeps buying, an old buyer gone
quiet, one lost to a competitor, a lead who became a buyer, a lead who never did, one deal lost and one won."""
HISTORY_OUTCOMES = {"loyal": ("won", "won", "won"), "quiet": ("won",), "lost": ("lost", "lost"),
                    "converted": ("won",), "cold lead": (), "mixed": ("lost", "won")}
HISTORY_AGES = {"loyal": (300, 390), "quiet": (330, 390), "lost": (90, 390), "converted": (70, 330),
                "cold lead": (60, 330), "mixed": (100, 300)}
"""How many days before today each kind of customer was added (its deals follow within weeks)."""


def _history_customer(book: SampleBook, clock: WalkingClock, rng: random.Random, index: int, now: datetime,
                      counts: dict[str, int]) -> None:
    """One customer of the year of history: made months ago, followed up every week or few, its deals opened and
    closed (won with a contract whose instalments were mostly paid, or lost with a reason and often a competitor)
    before the board's last 30 days. Every call is made at its moment, in time order."""
    profile = HISTORY_PROFILES[index % len(HISTORY_PROFILES)]
    chinese = rng.random() < 0.6
    today = now.date()
    closed_by = now - timedelta(days=CLOSED_BEFORE)
    created = _office_hours(now - timedelta(days=rng.randint(*HISTORY_AGES[profile])), rng)
    if profile == "quiet":
        last_contact = now - timedelta(days=rng.randint(150, 240))
    elif profile in ("lost", "cold lead"):
        last_contact = min(created + timedelta(days=rng.randint(40, 200)), closed_by)
    else:
        last_contact = now - timedelta(days=rng.randint(3, 25))
    dormant = profile in ("lost", "cold lead") or profile == "quiet" and index % 2 == 0

    clock.moment = created
    name, industry = _quiet_company(rng, chinese)
    status = "lead" if profile in ("converted", "cold lead") else "prospect"
    customer = book.add_customer(
        name, status=status, company=None, phone=_phone(rng, 5000 + index), email=_email(rng, 5000 + index, chinese),
        wechat=f"wx_h{index:03d}" if chinese else None, source=rng.choice(SOURCES), interest=rng.choice(PRODUCTS),
        industry=industry, region=_city_of(name) if chinese else rng.choice(["London", "New York", "Singapore"]),
        force=True)
    counts["customers"] += 1
    for position in range(rng.randint(1, 2)):
        book.add_contact(customer.id, _quiet_person(rng, chinese), title=rng.choice(TITLES_ZH if chinese else TITLES_EN),
                         phone=_phone(rng, 6000 + index * 3 + position), decision_maker=position == 0, force=True)
        counts["contacts"] += 1

    events: list[tuple[datetime, int, Callable[[], object]]] = []
    """(moment, order planned, what to do): done in time order once every deal and follow-up is planned."""

    def plan(moment: datetime, action: Callable[[], object]) -> None:
        events.append((moment, len(events), action))

    cursor = created
    for number, outcome in enumerate(HISTORY_OUTCOMES[profile]):
        opened = _office_hours(cursor + timedelta(days=rng.randint(3, 20) if number == 0 else rng.randint(15, 90)), rng)
        closed = _office_hours(opened + timedelta(days=rng.randint(20, 80)), rng)
        if closed > closed_by or (profile == "quiet" and closed > last_contact):
            break
        _plan_deal(book, plan, rng, customer.id, f"HT-{closed.year}-H{index:02d}{number}", outcome, opened, closed,
                   today)
        counts["deals"] += 1
        cursor = closed
        if profile != "quiet":
            last_contact = max(last_contact, closed + timedelta(days=1))

    moments = []
    moment = _office_hours(created + timedelta(days=rng.randint(0, 2)), rng)
    last = _office_hours(last_contact, rng)
    while moment < last - timedelta(days=3):
        moments.append(moment)
        moment = _office_hours(moment + timedelta(days=rng.randint(7, 30)), rng)
    moments.append(last)
    for place, when in enumerate(moments):
        if place + 1 < len(moments):
            next_at = moments[place + 1]
        elif dormant:
            next_at = _office_hours(when + timedelta(days=rng.randint(14, 40)), rng)
        else:
            next_at = _office_hours(now + timedelta(days=rng.randint(25, 60)), rng)
        values = {"channel": rng.choice(CHANNELS), "goal": rng.choice(GOALS)[0 if chinese else 1],
                  "goal_met": rng.random() < 0.6, "notes": rng.choice(NOTES_ZH if chinese else NOTES_EN),
                  "next_plan": rng.choice(PLANS_ZH if chinese else PLANS_EN), "next_at": next_at}
        plan(when, partial(book.log_follow_up, customer.id, **values))
        counts["follow_ups"] += 1
    if dormant:
        plan(max(when for when, _order, _action in events) + timedelta(days=rng.randint(20, 40)),
             partial(book.edit_customer, customer.id, {"status": "dormant"}))

    for when, _order, action in sorted(events, key=lambda event: event[:2]):
        clock.moment = min(when, now - timedelta(hours=1))
        action()


def _plan_deal(book: SampleBook, plan: Callable[[datetime, Callable[[], object]], None], rng: random.Random,
               customer_id: str, contract_no: str, outcome: str, opened: datetime, closed: datetime,
               today: date) -> None:
    """A deal of the history from its opening to its close: the stages it passes (a Proposal skipped now and then,
    a Quote taken back to Proposal once in a while), and a won deal's instalments paid on or near their days."""
    competitor = rng.choice(COMPETITORS) if outcome == "lost" or rng.random() < 0.3 else None
    amount = rng.randint(2, 60) * 6000  # yuan, in three equal instalments
    title = rng.choice(PRODUCTS)
    made: list[Deal] = []
    plan(opened, lambda: made.append(book.add_deal(customer_id, title, amount=str(amount), close=closed.date(),
                                                   competitor=competitor)))
    if outcome == "won":
        path = ["needs", "proposal", "quote", "negotiation"]
        if rng.random() < 0.25:
            path.remove("proposal")  # skipped
        elif rng.random() < 0.2:
            path[2:3] = ["quote", "proposal", "quote"]  # moved back, then on again
    else:
        path = ["needs", "proposal", "quote", "negotiation"][:rng.randint(0, 4)]
    for place, stage in enumerate(path, start=1):
        when = _office_hours(opened + (closed - opened) * place / (len(path) + 1), rng)
        quoted = str(amount) if stage == "quote" else None
        plan(when, lambda stage=stage, quoted=quoted: book.move_stage(made[0].id, stage, amount=quoted))  # type: ignore[misc]
    if outcome == "lost":
        reason = rng.choice(["competitor", "选了竞品"]) if competitor and rng.random() < 0.6 else rng.choice(LOST_REASONS)
        plan(closed, lambda: book.move_stage(made[0].id, "lost", reason=reason))
        return
    signed = closed.date()
    end = signed + timedelta(days=rng.choice([365, 365, 730]))
    if today <= end <= today + timedelta(days=book.ctx.settings.renewal_days + 1):
        end = signed + timedelta(days=730)  # not a renewal on today's agenda
    dues = [signed + timedelta(days=days) for days in (15, 75, 165)]
    plans = [PaymentPlan(str(amount // 3), due) for due in dues]
    plan(closed, lambda: book.move_stage(made[0].id, "won", contract_no=contract_no, signed=signed, end=end,
                                         payments=plans))
    for due in dues:
        if due >= today - timedelta(days=1) or rng.random() < 0.12:
            break  # not due yet, or left overdue (and the ones after it wait for it)
        paid = min(max(due + timedelta(days=rng.randint(-5, 15)), signed), today - timedelta(days=1))
        plan(_at(paid, rng.randint(9, 17), 30, book.ctx.clock),
             partial(book.mark_paid, customer_id, contract_no=contract_no, paid_on=paid))


def _quiet_company(rng: random.Random, chinese: bool) -> tuple[str, str]:
    """A new company name for the history that the sample's pictured search ("zs") does not find."""
    while True:
        name, industry = _company(rng, chinese)
        if "zs" not in search_keys(name, person=False).replace(" ", "") and "zs" not in name.casefold().replace(" ", ""):
            return name, industry


def _quiet_person(rng: random.Random, chinese: bool) -> str:
    while True:
        name = _person(rng, chinese)
        if "zs" not in search_keys(name, person=True).replace(" ", "") and "zs" not in name.casefold().replace(" ", ""):
            return name


def _person(rng: random.Random, chinese: bool) -> str:
    if chinese:
        return rng.choice(SURNAMES) + rng.choice(GIVEN)
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _company(rng: random.Random, chinese: bool) -> tuple[str, str]:
    """A company name not used before in this sample (the sample has no accidental duplicates)."""
    while True:
        name, industry = _company_name(rng, chinese)
        if name not in _USED:
            _USED.add(name)
            return name, industry


_USED: set[str] = set()


def _company_name(rng: random.Random, chinese: bool) -> tuple[str, str]:
    if chinese:
        trade, industry = rng.choice(TRADES)
        return f"{rng.choice(CITIES)}{rng.choice(WORDS)}{trade}有限公司", industry
    trade, industry = rng.choice(EN_TRADES)
    return f"{rng.choice(EN_WORDS)} {trade}", industry


def _city_of(name: str) -> str:
    """The city a Chinese company is named after (北京华信科技有限公司 is in 北京): its region."""
    return next(city for city in CITIES if name.startswith(city))


def _phone(rng: random.Random, index: int) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{index:04d}{rng.randint(0, 9999):04d}"


def _email(rng: random.Random, index: int, chinese: bool) -> str | None:
    if rng.random() < 0.3:
        return None
    return f"contact{index}@{'example.cn' if chinese else 'example.com'}"
