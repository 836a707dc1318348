"""A realistic, deterministic sample for newcomers: ~200 customers, six months of follow-ups, every stage, and a
year of closed history behind them (won and lost deals, paid and overdue instalments) so every report has figures.

The sample is made as a rep's work would be, with a clock walked through the past: every record is made and
checked by the services' own rules (fields, search keys, scores, gates, next dates in the future at the time of
logging) and every rule that follows a change (a contact rescores its customer, a follow-up moves its next date)
changes it. The records are held in memory as they are made and written at the end in one transaction by the
store's bulk writer, with one outbox mutation each, as the services would have queued them. The book is the same
as the one the services would write call by call (tests/test_demo.py builds both and compares them row by row).

After the sale: won deals carry the revisit plan the Won form proposed, most past revisits done by a follow-up with
its satisfaction scores (the latest ones low, each with its call back planned), a few late, the rest coming;
service requests in every status with their history; service cycles and a warranty about to end.
"""

from __future__ import annotations

import gc
import random
import sqlite3
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import cast

from crmtui.core.clock import Clock
from crmtui.core.errors import NotAllowed
from crmtui.core.formatting import parse_amount
from crmtui.services import history
from crmtui.services.context import Context
from crmtui.services.customers import (
    apply_customer_changes, clean_tags, contact_added, customer_changes, customer_edited, new_contact, new_customer,
)
from crmtui.services.deals import PaymentPlan, StageMove, apply_move, check_move, deal_opened, new_deal
from crmtui.services import revisits as revisit_rules
from crmtui.services import tickets as ticket_rules
from crmtui.services.follow_ups import draft_follow_up, follow_up_row
from crmtui.store.bulk import BulkWriter, has_customers
from crmtui.store.outbox import OutboxWriter
from crmtui.store.follow_ups import CustomerState, customer_changes as follow_up_changes
from crmtui.core.pinyin import search_keys
from crmtui.store.models import (
    Contact, Contract, Customer, CustomerTag, Deal, Payment, Revisit, Ticket, TicketEvent, new_id,
)

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
REVISITED = timedelta(days=120)
"""The history's deals won this long before today or less have a revisit plan."""
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
        self.after = BulkWriter()
        """What came after the sale: revisits, the follow-ups that scored them, tickets and their history. Written
        after the rest: the bulk writer lays out a table's rows as its first record has them, and a follow-up
        without scores has no satisfaction or nps columns."""
        self._customers: dict[str, Customer] = {}
        self._newest: dict[str, datetime] = {}
        """Each customer's newest follow-up moment, as insert_follow_up reads it from the store."""
        self._contacts: dict[str, list[Contact]] = {}
        self._deals: dict[str, Deal] = {}
        self._numbers: set[str] = set()
        self._payments: dict[str, list[Payment]] = {}
        """Each contract number's instalments, earliest due first (as the plan made them)."""
        self._revisits: dict[str, list[Revisit]] = {}
        self._planned: list[Revisit] = []
        """Every revisit in the order planned: staged last, once the follow-ups that completed them are."""
        self._tickets: dict[str, Ticket] = {}
        self._events: dict[str, list[TicketEvent]] = {}

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
                   reason: str | None = None, revisits: list[revisit_rules.RevisitLine] | None = None) -> Deal:
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
            if isinstance(record, Contract) and revisits:
                for planned in revisit_rules.schedule(revisits, record.signed_on, revisit_rules.calendar(self.ctx.settings)):
                    self._plan(deal.customer_id, deal.id, planned.due_on, planned.line.purpose, planned.line.channel,
                               now)
        return deal

    def mark_paid(self, customer_id: str, *, contract_no: str, paid_on: date) -> Payment:
        """The earliest unpaid instalment of the contract marked paid (the sample names the contract and a day
        between its signing and today)."""
        payment = next(p for p in sorted(self._payments[contract_no], key=lambda p: p.due_on) if p.paid_on is None)
        payment.paid_on = paid_on
        payment.updated_at = self.ctx.clock.utcnow()
        return payment

    def log_follow_up(self, customer_id: str, *, satisfaction: object = None, nps: object = None,
                      revisit: object = None, **values: object) -> None:
        draft = draft_follow_up(self.ctx, **values)  # type: ignore[arg-type]
        customer = self._customers[customer_id]
        now = self.ctx.clock.utcnow()
        done = None
        score = revisit_rules.check_score("satisfaction", satisfaction, 1, 5)
        if score is not None:
            done = revisit_rules.choose_revisit(self.open_revisits(customer_id),  # type: ignore[arg-type]
                                                revisit if isinstance(revisit, str) else None,
                                                self.ctx.clock.today(), customer.name)
        row = follow_up_row(self.ctx, draft, now, customer_id, CustomerState(customer.name, customer.status, False),
                            None, None, lambda _table, _id: False)
        row.id = new_id()
        row.satisfaction, row.nps = score, revisit_rules.check_score("nps", nps, 0, 10)
        (self.writer if score is None else self.after).add_follow_up(row, now)
        self._newest[customer_id] = max(row.at, self._newest.get(customer_id, row.at))
        for name, value in follow_up_changes(row, now, self._newest.get(customer_id)).items():
            setattr(customer, name, value)
        if done is not None:
            record = next(r for r in self._revisits[customer_id] if r.id == done.id)
            record.follow_up_id, record.done_at, record.updated_at = row.id, row.at, now
        self._call_back(customer_id, score, "revisit" if done is not None else "follow_up", None, now)

    def _call_back(self, customer_id: str, score: int | None, source: str, ticket: str | None,
                   now: datetime) -> None:
        """A low score's call back (revisits.call_back_in): a phone revisit of no deal, the next working day,
        unless the customer has an open one."""
        if score is None or not revisit_rules.is_low(self.ctx.settings, score) or any(
                r.deal_id is None for r in self.open_revisits(customer_id)):
            return
        self._plan(customer_id, None, revisit_rules.next_working_day(
            self.ctx.clock.today(), revisit_rules.calendar(self.ctx.settings)),
            revisit_rules.call_back_purpose(score, source, ticket), "phone", now)

    def _plan(self, customer_id: str, deal_id: str | None, due_on: date, purpose: str, channel: str | None,
              now: datetime) -> None:
        revisit = Revisit(customer_id=customer_id, deal_id=deal_id, due_on=due_on, purpose=purpose, channel=channel,
                          created_at=now, updated_at=now)
        self._revisits.setdefault(customer_id, []).append(revisit)
        self._planned.append(revisit)

    def open_revisits(self, customer_id: str) -> list[Revisit]:
        """The customer's open revisits, earliest due first (as services.revisits.open_revisits reads them)."""
        return sorted((r for r in self._revisits.get(customer_id, []) if r.follow_up_id is None),
                      key=lambda r: r.due_on)

    def add_ticket(self, customer_id: str, title: str, *, kind: str, priority: str = "normal",
                   due: date | None = None) -> Ticket:
        now = self.ctx.clock.utcnow()
        rules, zone, days = self.ctx.settings.tickets, self.ctx.clock.zone, revisit_rules.calendar(self.ctx.settings)
        chosen = ticket_rules.parse_priority(priority)
        # numbered in sequence (T-0001...), not from the random id as a rep's tickets are: the same sample every time
        ticket = Ticket(customer_id=customer_id, number=ticket_rules.next_number(
                            [t.number for t in self._tickets.values()], None),
                        title=title, kind=ticket_rules.parse_kind(kind), priority=chosen, status="open",
                        opened_at=now, respond_by=ticket_rules.deadline(now, chosen, "response", zone, rules, days),
                        resolve_by=ticket_rules.deadline(now, chosen, "resolution", zone, rules, days), due_on=due,
                        created_at=now, updated_at=now)
        self._tickets[ticket.id] = ticket
        self.after.add(ticket, now)
        self._event(ticket, now, to_status="open")
        return ticket

    def _event(self, ticket: Ticket, now: datetime, *, from_status: str | None = None, to_status: str | None = None,
               note: str | None = None) -> None:
        events = self._events.setdefault(ticket.id, [])
        at = max([now] + [e.at + timedelta(microseconds=1) for e in events])
        event = TicketEvent(ticket_id=ticket.id, at=at, from_status=from_status, to_status=to_status, note=note,
                            created_at=now, updated_at=now)
        events.append(event)
        self.after.add(event, now)

    def update_ticket(self, ticket_id: str, *, status: str | None = None, note: str | None = None) -> Ticket:
        ticket = self._tickets[ticket_id]
        now = self.ctx.clock.utcnow()
        if status is not None and status != ticket.status:
            assert status in ticket_rules.MOVES[ticket.status], (ticket.status, status)
            self._event(ticket, now, from_status=ticket.status, to_status=status)
            ticket.responded_at = ticket.responded_at or now
            ticket.resolved_at = now if status == "resolved" else None
            ticket.status = status
        if note is not None:
            self._event(ticket, now, note=note)
            ticket.responded_at = ticket.responded_at or now
        ticket.updated_at = now
        return ticket

    def close_ticket(self, ticket_id: str, resolution: str, satisfaction: int | None = None) -> Ticket:
        ticket = self._tickets[ticket_id]
        now = self.ctx.clock.utcnow()
        self._event(ticket, now, from_status=ticket.status, to_status="closed", note=resolution)
        ticket.responded_at = ticket.responded_at or now
        ticket.resolved_at = ticket.resolved_at or now
        ticket.closed_at = now
        ticket.status = "closed"
        ticket.resolution = resolution
        ticket.satisfaction = ticket_rules.parse_satisfaction(satisfaction)
        ticket.updated_at = now
        self._call_back(ticket.customer_id, ticket.satisfaction, "ticket", ticket.number, now)
        return ticket

    def write(self, connection: sqlite3.Connection, outbox: OutboxWriter) -> None:
        """Writes the sample: the book, then what came after the sale (a revisit after the follow-up that did it)."""
        self.writer.write(connection, outbox)
        for revisit in self._planned:
            self.after.add(revisit, revisit.created_at)
        self.after.write(connection, outbox)

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
    _PLANNED.clear()
    _CHINESE.clear()
    real_now = datetime.combine(ctx.clock.today(), time(0), ctx.clock.zone)
    clock = WalkingClock(ctx.clock)
    sample = book(Context(db=ctx.db, settings=ctx.settings, clock=clock))
    counts = {"customers": 0, "contacts": 0, "deals": 0, "follow_ups": 0}
    for index in range(CUSTOMERS):
        _one_customer(sample, clock, rng, index, real_now, counts)
    history_rng = random.Random(HISTORY_SEED)
    for index in range(HISTORY_CUSTOMERS):
        _history_customer(sample, clock, history_rng, index, real_now, counts)
    _after_sales(sample, clock, random.Random(AFTER_SALES_SEED), real_now, counts)
    with ctx.db.raw_write(ctx.clock.utcnow()) as (connection, outbox):
        sample.write(connection, outbox)
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
    _CHINESE[customer.id] = chinese
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
            deal = _advance(book, deal, target_stage, stages, rng, index, moment, now.date())
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
             moment: datetime, today: date):
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
                                    PaymentPlan(str((deal.amount_cents or 100000) // 200), signed + timedelta(days=rng.choice([60, 120])))],
                          revisits=_won_plan(book, deal.customer_id, deal.title, signed, today))
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
    _CHINESE[customer.id] = chinese
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
    # A deal won in the last months has the revisit plan the Won form proposed; older ones were won before crmtui
    # planned revisits.
    lines = _won_plan(book, customer_id, title, signed, today) if today - signed <= REVISITED else None
    plan(closed, lambda: book.move_stage(made[0].id, "won", contract_no=contract_no, signed=signed, end=end,
                                         payments=plans, revisits=lines))
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


# After the sale ---------------------------------------------------------------------------------------------------

AFTER_SALES_SEED = SEED + 2
"""The revisits' completions, the tickets and the service cycles have their own generator: the sample and the
history above stay exactly as they were."""
_PLANNED: list[str] = []
"""The customers whose won deal got a revisit plan, in the order they were won."""
_CHINESE: dict[str, bool] = {}
"""Whether each customer of the sample is written to in Chinese."""
TRAINING = ("On-site training", "上门培训")
"""A line a rep adds to the proposed plan of a deal won a week or so ago: due today."""
LOW_SCORES = ((2, 3), (1, 0), (2, None))
"""The satisfaction (1-5) and would-recommend (0-10) of the latest revisits done: low, a call back planned."""
LATE = 2
"""The past revisits left open, the latest after the low-scored ones: late on the agenda."""
REVISIT_NOTES = (("Happy with the delivery; asked for a second training session.", "交付满意，希望再安排一次培训。"),
                 ("Uses it every day; small wishes for the reports.", "每天都在用，对报表有些小建议。"),
                 ("All fine; will introduce a partner company.", "一切正常，愿意介绍合作伙伴。"))
LOW_NOTES = (("Unhappy: the installation took two weeks longer than promised.", "不满意：安装比承诺晚了两周。"),
             ("Angry about the invoice errors; wants the account manager to call.", "发票多次出错，很生气，要求客户经理回电。"),
             ("The system is slow for them; thinking of not renewing.", "觉得系统慢，在考虑不续约。"))
TICKETS: tuple[tuple[tuple[str, str], str, str, int | None, tuple[tuple[int, int, str, object], ...]], ...] = (
    # (title, kind, priority, the promised day in days from the opening day or None,
    #  steps: (days before today, hour, action, its text or score); the first step opens the ticket)
    (("Production line scanner down", "产线扫码设备故障"), "repair", "urgent", None,
     ((1, 14, "open", None), (1, 15, "in_progress", None), (1, 16, "note", ("Engineer on the way", "工程师已出发")))),
    (("Wrong figures in the monthly report", "月报数据不对"), "complaint", "high", None,
     ((6, 10, "open", None), (6, 11, "in_progress", None),
      (5, 16, "waiting", None), (5, 16, "note", ("Asked for screenshots of the report", "请客户提供报表截图")))),
    (("Printer driver fails after the update", "更新后打印驱动失效"), "repair", "high", None,
     ((5, 15, "open", None), (5, 16, "in_progress", None))),
    (("Half-yearly maintenance visit", "半年例行保养"), "maintenance", "normal", 7,
     ((1, 16, "open", None),)),
    (("How to export the customer list", "如何导出客户列表"), "consultation", "low", 5,
     ((1, 17, "open", None),)),
    (("Replace the worn filters", "更换磨损滤芯"), "maintenance", "normal", 8,
     ((4, 10, "open", None), (4, 14, "in_progress", None), (1, 10, "waiting", None),
      (1, 10, "note", ("Visit booked; waiting for the customer to confirm the day", "已约上门，等客户确认时间")))),
    (("Invoice sent to the wrong address", "发票寄错地址"), "complaint", "urgent", None,
     ((8, 9, "open", None), (8, 10, "in_progress", None), (8, 16, "resolved", None))),
    (("Yearly calibration", "年度校准"), "maintenance", "low", None,
     ((12, 11, "open", None), (11, 10, "in_progress", None), (4, 15, "resolved", None))),
    (("Screen flickers", "屏幕闪烁"), "repair", "normal", None,
     ((20, 10, "open", None), (20, 14, "in_progress", None), (18, 11, "resolved", None),
      (15, 10, "close", (("Replaced the display cable", "更换了显示排线"), 5)))),
    (("Late delivery of the spare parts", "备件到货延误"), "complaint", "urgent", None,
     ((29, 9, "open", None), (29, 10, "in_progress", None),
      (27, 15, "close", (("Parts delivered with a discount on the next order", "备件已到，下单给予折扣"), 3)))),
    (("Can two users share one licence?", "两个人能共用一个账号吗？"), "consultation", "high", None,
     ((8, 11, "open", None), (8, 11, "close", (("Answered on the phone: one licence per user", "电话已答复：一人一个账号"), None)))),
    (("Door sensor not responding", "门磁传感器无响应"), "repair", "low", None,
     ((15, 9, "open", None), (14, 10, "in_progress", None), (13, 17, "resolved", None),
      (13, 17, "close", (("Battery replaced on site", "上门更换电池"), 4)))),
)
"""The tickets of the sample: every status, kind and priority; two overdue (the urgent repair and the waiting
complaint), one due soon (the high-priority repair, due at noon of the day the sample is made), the closed ones
with a resolution and most with the customer's satisfaction."""
SERVICE_CYCLES = ((6, 178, None), (3, 80, None), (None, None, 20))
"""(months between services, days before today the cycle began, days from today the warranty ends): a service
due within the week, one later, and a warranty ending within 30 days."""


def _won_plan(book: SampleBook, customer_id: str, title: str, signed: date,
              today: date) -> list[revisit_rules.RevisitLine]:
    """The plan the Won form proposed for a deal signed on `signed`, as the rep accepted it: for a deal won 5-12
    days before today, with a training visit added, due today."""
    lines = revisit_rules.template_lines(book.ctx.settings, title)
    days = (today - signed).days
    if 5 <= days <= 12 and revisit_rules.calendar(book.ctx.settings).is_working_day(today):
        purpose = TRAINING[1] if revisit_rules.i18n.language == "zh" else TRAINING[0]
        lines = sorted([*lines, revisit_rules.RevisitLine(days, "visit", purpose)], key=lambda line: line.days)
    _PLANNED.append(customer_id)
    return lines


def _after_sales(book: SampleBook, clock: WalkingClock, rng: random.Random, now: datetime,
                 counts: dict[str, int]) -> None:
    """The revisits done (their scores on the follow-ups that did them, the latest ones low, a call back planned),
    a few late, the tickets and the service cycles."""
    today = now.date()
    customers = list(dict.fromkeys(_PLANNED))
    past = [r for r in sorted((r for c in customers for r in book.open_revisits(c)), key=lambda r: r.due_on)
            if r.due_on < today]
    low: list[object] = []
    for revisit in reversed(past):
        if len(low) < len(LOW_SCORES) and all(r.customer_id != revisit.customer_id for r in low):  # type: ignore[attr-defined]
            low.append(revisit)
    late = [r for r in reversed(past) if r not in low][:LATE]
    evening = today - timedelta(days=1)  # the last working day before today: its call backs are due today
    while not revisit_rules.calendar(book.ctx.settings).is_working_day(evening):
        evening -= timedelta(days=1)
    done: list[tuple[datetime, int, Callable[[], object]]] = []
    for order, revisit in enumerate(past):
        if revisit in late:
            continue
        zh = _CHINESE.get(revisit.customer_id, False)
        next_at = _office_hours(now + timedelta(days=rng.randint(20, 60)), rng)
        if revisit in low:
            place = low.index(revisit)
            when = _at(evening, 18, 15 * place, clock)
            score, nps = LOW_SCORES[place]
            notes = LOW_NOTES[place][1 if zh else 0]
            met = False
        else:
            when = min(_office_hours(_at(revisit.due_on, 9, 0, clock), rng), now - timedelta(hours=1))
            score, nps = rng.choice([5, 5, 4, 4, 4, 3]), rng.choice([None, None, 10, 9, 8, 7])
            notes = rng.choice(REVISIT_NOTES)[1 if zh else 0]
            met = True
        values = {"channel": revisit.channel or "phone", "goal": revisit.purpose, "goal_met": met, "notes": notes,
                  "next_plan": rng.choice(PLANS_ZH if zh else PLANS_EN), "next_at": next_at,
                  "satisfaction": score, "nps": nps, "revisit": revisit.id}
        done.append((when, order, partial(book.log_follow_up, revisit.customer_id, **values)))
        counts["follow_ups"] += 1
    for when, _order, action in sorted(done, key=lambda event: event[:2]):
        clock.moment = when
        action()

    chosen = rng.sample(customers, k=min(len(customers), len(TICKETS) + len(SERVICE_CYCLES)))
    for (title, kind, priority, promised, steps), customer_id in zip(TICKETS, chosen, strict=False):
        zh = _CHINESE.get(customer_id, False)
        ticket = None
        for days, hour, step, value in steps:
            moment = min(_at(today - timedelta(days=days), hour, rng.choice([0, 15, 30]), clock),
                         now - timedelta(hours=1))
            clock.moment = moment if ticket is None else max(moment, clock.moment + timedelta(minutes=10))
            if ticket is None:
                due = clock.moment.date() + timedelta(days=promised) if promised is not None else None
                ticket = book.add_ticket(customer_id, title[1 if zh else 0], kind=kind, priority=priority, due=due)
            elif step == "note":
                ticket = book.update_ticket(ticket.id, note=value[1 if zh else 0])  # type: ignore[index]
            elif step == "close":
                resolution, stars = cast(tuple[tuple[str, str], int | None], value)
                ticket = book.close_ticket(ticket.id, resolution[1 if zh else 0], stars)
            else:
                ticket = book.update_ticket(ticket.id, status=step)

    clock.moment = now - timedelta(hours=1)
    for (months, began, warranty), customer_id in zip(SERVICE_CYCLES, chosen[len(TICKETS):], strict=False):
        care: dict[str, object] = {}
        if months is not None and began is not None:
            care.update(service_months=months, service_from=today - timedelta(days=began))
        if warranty is not None:
            care["warranty_until"] = today + timedelta(days=warranty)
        book.edit_customer(customer_id, care)
