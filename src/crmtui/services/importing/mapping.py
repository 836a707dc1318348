"""Which column of an imported file is which field: headers recognised in English and Chinese and the layouts of
common exports (Google Contacts, Outlook, a plain "Name, Company, Phone, Email" sheet), a mapping file in TOML,
`--map COLUMN=field` for one column, and mappings saved by name under the config folder.

A mapping file:

    kind = "customers"
    [columns]
    "客户名称" = "name"
    "传真" = "note"            # kept in the record's note as "传真: ..."
    [values.source]
    "展会" = "exhibition"

Every column ends up somewhere: a field, the note ("note": "column: value"; "notes": the text itself), or "ignore"
when the rep says so. A column nothing recognises goes into the note and is reported.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from crmtui.core import paths
from crmtui.core.errors import CrmError
from crmtui.services.importing.readers import ERROR_COLUMN, VCARD_COLUMNS

KINDS = ("customers", "contacts", "leads", "deals", "follow-ups")
"""What can be imported: records of the book, and the history of another system (deals, follow-ups)."""
HISTORY_KINDS = ("deals", "follow-ups")
"""Kinds whose rows name a customer (the `customer` field) and carry their own dates."""

FIELDS: dict[str, str] = {
    "name": "the customer's, lead's or contact's name",
    "customer": "the company a contact works at (found by name, or added)",
    "contact": "a contact person at the customer (customers)",
    "company": "the company a lead works at (leads)",
    "phone": "phone", "email": "email", "wechat": "WeChat id", "source": "where it came from",
    "interest": "the product they asked about", "industry": "industry", "region": "region, city or address",
    "tier": "A, B or C", "status": "lead, prospect, customer or dormant", "tag": "tags (comma-separated)",
    "title": "job title", "birthday": "birthday", "decision-maker": "y/n", "next": "next follow-up date",
    "first-name": "given name (joined with last-name)", "last-name": "family name (joined with first-name)",
    "notes": "text kept in the record's note", "owner": "the rep who owns it (kept in the note)",
    "note": "kept in the note as \"column: value\"", "ignore": "left out, on purpose",
    "type": "person or company (个人/公司)",
    "consent": "where a person's consent came from", "consent-date": "the day consent was given",
    "do-not-contact": "y/n: asked not to be contacted", "do-not-contact-since": "the day they asked",
    "dnc-reason": "why they asked not to be contacted",
    "external_id": "its id in the other system (recognises the row on a re-import)",
    "id": "its id in crmtui (`crm export`'s id column: recognises the row on a re-import)",
    "stage": "deal stage (another system's names are mapped)", "amount": "deal amount",
    "close": "expected close date", "created": "the date the deal was opened", "closed": "the date it was won or lost",
    "probability": "win probability 0-100", "lost-reason": "why the deal was lost", "competitor": "competitor",
    "at": "when the follow-up happened", "channel": "phone, visit, wechat, email...", "goal": "the follow-up's goal",
    "met": "goal met, y/n", "next-plan": "what was planned next", "deal": "the deal a follow-up was about (title)",
    "stage-entered": "when the deal entered its stage",
    "service-months": "a service visit every N months (1-120)", "service-from": "the day the service cycle starts",
    "warranty-until": "the day the warranty ends",
}
"""The fields a column can be mapped to: the `crm add` options' names plus customer, contact, title, owner."""

_ORG, _PERSON = "<org>", "<person>"
"""Roles found by the header, made a field by the kind: a customers sheet's company is the customer's name and its
person a contact; a leads sheet's person is the lead and its company the lead's company."""

_WORDS: dict[str, tuple[str, ...]] = {
    _ORG: ("company", "company name", "organization", "organisation", "organization name", "organization 1 - name",
           "account", "account name", "customer", "customer name", "business", "employer",
           "客户名称", "客户", "公司名称", "公司", "单位", "单位名称", "企业名称", "企业", "机构", "机构名称", "组织",
           "客户全称", "所属公司", "工作单位", "名称", "org"),
    _PERSON: ("name", "full name", "contact", "contact name", "display name", "fn", "person",
              "联系人", "姓名", "联系人姓名", "客户姓名", "联系人名称"),
    "first-name": ("first name", "given name", "given", "名"),
    "last-name": ("last name", "family name", "surname", "姓"),
    "phone": ("phone", "mobile", "mobile phone", "cell", "cell phone", "telephone", "tel", "phone number", "phones",
              "business phone", "home phone", "primary phone", "work phone", "other phone", "company main phone",
              "mobile number", "手机", "手机号", "手机号码", "电话", "联系电话", "电话号码", "移动电话", "座机", "办公电话",
              "联系方式", "联系人手机", "联系人电话"),
    "email": ("email", "e-mail", "email address", "e-mail address", "mail", "邮箱", "电子邮箱", "邮件", "电子邮件",
              "邮箱地址", "联系人邮箱"),
    "wechat": ("wechat", "weixin", "wechat id", "x-wechat", "微信", "微信号"),
    "region": ("address", "region", "city", "location", "province", "state", "adr", "business city", "home city",
               "地址", "地区", "省市", "省份", "城市", "所在地区", "所在地", "区域", "联系地址", "公司地址", "详细地址", "所在城市"),
    "industry": ("industry", "sector", "vertical", "行业", "所属行业", "行业类型"),
    "source": ("source", "lead source", "来源", "客户来源", "线索来源", "渠道", "获客渠道"),
    "tag": ("tags", "tag", "labels", "categories", "group membership", "标签", "分组", "客户标签"),
    "notes": ("notes", "note", "remarks", "remark", "comment", "comments", "description", "备注", "说明", "描述",
              "备注信息"),
    "title": ("title", "job title", "position", "role", "organization title", "organization 1 - title", "职位", "职务",
              "岗位", "头衔", "联系人职位"),
    "birthday": ("birthday", "bday", "date of birth", "dob", "生日", "出生日期"),
    "owner": ("owner", "sales rep", "account owner", "assigned to", "负责人", "跟进人", "销售", "所属销售", "客户经理",
              "业务员", "归属人"),
    "next": ("next follow-up", "next follow up", "next contact", "next date", "下次跟进时间", "下次跟进", "下次联系时间",
             "下次跟进日期", "下次联系"),
    "interest": ("interest", "product", "products", "意向产品", "意向", "感兴趣产品", "产品"),
    "tier": ("tier", "grade", "客户等级", "等级", "级别", "客户级别"),
    "status": ("status", "状态", "客户状态"),
    "decision-maker": ("decision maker", "决策人", "是否决策人"),
    # a person's consent and do-not-contact, as `crm export` names them (vCard: its X- properties)
    "consent": ("consent", "consent source", "x-consent", "同意来源", "授权来源"),
    "consent-date": ("consent date", "x-consent-date", "同意日期", "授权日期"),
    "do-not-contact": ("do not contact", "x-do-not-contact", "勿扰", "拒绝联系"),
    "do-not-contact-since": ("do not contact since", "x-do-not-contact-since", "勿扰日期"),
    "dnc-reason": ("do not contact reason", "dnc reason", "x-do-not-contact-reason", "勿扰原因"),
    # after-sales care, as `crm export` names them
    "service-months": ("service months", "service every (months)", "service cycle", "service cycle (months)",
                       "服务周期(月)", "服务周期", "保养周期(月)", "保养周期"),
    "service-from": ("service from", "service start", "service cycle from", "服务起始日", "服务起始日期", "服务开始日期"),
    "warranty-until": ("warranty until", "warranty end", "warranty ends", "保修截止", "保修截止日", "保修截止日期",
                       "保修到期日"),
    "note": ("department", "部门", "url", "website", "网址", "nickname", "昵称", "fax", "传真号"),
    "ignore": (ERROR_COLUMN,),
}
_KIND_WORDS: dict[str, tuple[str, ...]] = {
    "type": ("type", "customer type", "kind", "类型", "客户类型", "客户性质"),
}
"""Headers read the same way in every kind."""
_HISTORY_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "deals": {
        "title": ("title", "deal", "deal name", "opportunity", "opportunity name", "name", "subject", "商机名称", "商机",
                  "机会名称", "项目名称", "项目", "商机标题"),
        "stage": ("stage", "deal stage", "deal_stage", "sales stage", "status", "阶段", "销售阶段", "商机阶段", "状态"),
        "amount": ("amount", "value", "deal value", "close value", "close_value", "revenue", "金额", "商机金额", "预计金额",
                   "成交金额", "合同金额"),
        "close": ("expected close", "expected close date", "expected_close", "close by", "预计成交日期", "预计签单日期",
                  "预计成交时间", "预计结单日期"),
        "closed": ("close date", "close_date", "closed", "closed date", "closed on", "won date", "date closed",
                   "成交日期", "赢单日期", "结单日期", "关闭日期", "实际成交日期"),
        "created": ("created", "created date", "create date", "created at", "created time", "engage date",
                    "engage_date", "opened", "open date", "date created", "创建日期", "创建时间", "立项日期", "录入时间"),
        "external_id": ("id", "opportunity id", "opportunity_id", "deal id", "record id", "external id", "商机编号",
                        "商机id", "编号", "记录id"),
        "probability": ("probability", "probability (%)", "win probability", "赢率", "成交概率", "赢单率"),
        "lost-reason": ("lost reason", "loss reason", "reason lost", "closed lost reason", "输单原因", "丢单原因",
                        "输单理由"),
        "competitor": ("competitor", "竞争对手", "竞品"),
        "owner": ("sales agent", "sales_agent", "deal owner", "opportunity owner"),
    },
    "follow-ups": {
        "at": ("time", "date", "datetime", "at", "when", "follow-up time", "follow up time", "activity date",
               "跟进时间", "拜访时间", "联系时间", "日期", "时间", "跟进日期", "沟通时间"),
        "channel": ("channel", "type", "method", "activity type", "via", "跟进方式", "沟通方式", "联系方式", "跟进类型",
                    "方式"),
        "goal": ("goal", "purpose", "objective", "跟进目的", "目的", "目标", "本次目标"),
        "met": ("goal met", "met", "achieved", "是否达成", "目标达成", "达成"),
        "next-plan": ("next plan", "next step", "next steps", "下一步", "下一步计划", "下次计划", "后续计划"),
        "notes": ("content", "summary", "跟进内容", "沟通内容", "内容", "跟进记录", "记录"),
        "external_id": ("id", "activity id", "record id", "external id", "记录编号", "跟进编号", "记录id"),
        "deal": ("deal", "opportunity", "商机", "相关商机"),
        "contact": ("contact", "contact name", "联系人", "联系人姓名"),
    },
}
"""Headers that mean a field of deals or follow-ups (looked up before the common ones for those kinds)."""
_HISTORY_MARKS = {
    "deals": frozenset({"deal stage", "deal_stage", "sales stage", "opportunity stage", "销售阶段", "商机阶段", "商机名称",
                        "opportunity name", "deal name", "opportunity_id", "opportunity id", "close value", "close_value",
                        "商机金额", "赢单日期", "输单原因"}),
    "follow-ups": frozenset({"跟进时间", "跟进方式", "跟进内容", "跟进记录", "沟通内容", "拜访时间", "follow-up time",
                             "follow up time", "activity type", "activity date"}),
}
"""Headers only a sheet of deals, or of follow-ups, has: such a file is read as that kind unless told otherwise."""
PERSON_HEADERS = frozenset(_WORDS[_PERSON])
"""Headers that name a person: a customers sheet whose name column is one of these lists people, not companies."""
_HEADERS = {word: role for role, words in _WORDS.items() for word in words}
_PATTERNS = (
    (re.compile(r"^phone \d+ - value$"), "phone"),
    (re.compile(r"^e-?mail \d+ - value$|^e-?mail \d+ address$"), "email"),
    (re.compile(r"^address \d+ - formatted$"), "region"),
    (re.compile(r"^organization \d+ - name$"), _ORG),
    (re.compile(r"^organization \d+ - title$"), "title"),
    (re.compile(r"^address \d+ - city$"), "region"),
    (re.compile(r" - (type|label)$|^e-?mail( \d+)? (type|display name)$|^phonetic |^photo$|^file as$"), "ignore"),
)

STATUS_WORDS = {"线索": "lead", "潜在客户": "prospect", "意向客户": "prospect", "潜客": "prospect", "成交客户": "customer",
                "已成交": "customer", "签约客户": "customer", "客户": "customer", "休眠": "dormant", "休眠客户": "dormant",
                "流失": "dormant", "流失客户": "dormant"}
"""Statuses as Chinese sheets write them (a [values.status] table adds others)."""


class MappingError(CrmError):
    """A mapping the rep gave (a --map, a mapping file, a saved name) that cannot be used; the message names it."""


def header_key(header: str) -> str:
    """A header as looked up: full-width folded, case and spaces ignored, a required-field mark dropped."""
    text = unicodedata.normalize("NFKC", header).casefold().strip()
    text = re.sub(r"[*＊:：]|\((必填|选填|required)\)$", "", text).strip()
    return " ".join(text.split())


def _role(header: str, kind: str | None = None) -> str | None:
    key = header_key(header)
    for role, words in (_HISTORY_WORDS.get(kind or "", {}) | _KIND_WORDS).items():
        if key in words:
            return role
    if key in _HEADERS:
        return _HEADERS[key]
    for pattern, role in _PATTERNS:
        if pattern.search(key):
            return role
    return None


OWN_EXPORT: dict[str, dict[str, str]] = {
    "deals": {"id": "id", "customer id": "ignore", "customer": "customer", "title": "title", "stage": "stage",
              "amount": "amount", "quoted": "note", "probability": "probability", "expected close": "close", "competitor": "competitor",
              "lost reason": "lost-reason", "stage entered": "stage-entered", "created": "created",
              "closed": "closed", "owner": "owner", "external id": "external_id", "imported from": "ignore"},
    "follow-ups": {"id": "id", "customer id": "ignore", "customer": "customer", "contact": "contact",
                   "deal": "deal", "at": "at", "channel": "channel", "goal": "goal", "goal met": "met",
                   "notes": "notes", "next plan": "next-plan", "next follow-up": "next", "author": "ignore",
                   "external id": "external_id", "imported from": "ignore"},
    "contacts": {"id": "ignore", "customer id": "ignore", "created": "ignore"},
    "customers": {"id": "ignore", "score": "ignore", "last contact": "ignore", "created": "ignore"},
}
"""The columns of crmtui's own export (`crm export`), by kind: its fields, and what the book computes (ids, the
score, times of creation and of last contact, a follow-up's author) left out rather than kept in the notes. A deal's
or follow-up's own id recognises it on a re-import (customers and contacts are recognised by their names, phones
and emails)."""
_OWN_EXPORT_MARKS = {"deals": {"id", "customer id", "stage entered"}, "follow-ups": {"id", "customer id", "author"},
                     "contacts": {"id", "customer id", "decision maker"}, "customers": {"id", "score", "last contact"}}
"""Headers that together say a sheet is crmtui's own export of that kind."""


def own_export_kind(headers: list[str]) -> str | None:
    """The kind of crmtui's own export a sheet is (its headers say it), or None."""
    keys = {header_key(header) for header in headers}
    return next((kind for kind, marks in _OWN_EXPORT_MARKS.items() if marks <= keys), None)


def sheet_kind(sheet: str | None) -> str | None:
    """The kind a workbook's sheet is named for (`crm export all` names its sheets so), or None."""
    name = header_key(sheet or "")
    return next((kind for kind in KINDS if name == kind), None)


def is_header_row(cells: list[str]) -> bool:
    """Whether a row reads as a sheet's header: most of its non-empty cells are column names the import knows (a
    title row above the header, 2026年客户名单, or group headers, 客户信息 | 联系方式, are not)."""
    texts = [cell for cell in cells if cell]
    known = sum(1 for cell in texts if _role(cell) is not None or any(
        _role(cell, kind) is not None for kind in HISTORY_KINDS))
    return bool(texts) and known * 2 > len(texts)


@dataclass
class Mapping:
    """Where each column goes, value tables by field, and which columns nothing recognised."""

    kind: str
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    """Columns no header word, layout or mapping names: they go into the note, and the rep is told."""

    def field_of(self, column: str) -> str:
        """The field a column goes to; a column seen for the first time (a vCard's X-QQ) is an unknown one."""
        found = self.columns.get(column)
        if found is None:
            role = _role(column, self.kind)
            found = self.columns[column] = _resolve(role, self.kind, set(self.columns.values())) if role else "note"
            if role is None and not _second_value(column):
                self.unknown.append(column)
        return found

    def value(self, field_name: str, text: str) -> str:
        """A cell's value through the field's [values.FIELD] table (matched as typed, then ignoring case)."""
        table = self.values.get(field_name)
        if table:
            if text in table:
                return table[text]
            folded = {key.casefold(): value for key, value in table.items()}
            return folded.get(text.casefold(), text)
        return text

    def person_field(self) -> str:
        """Where a name given in parts (first and last name) goes: a customers sheet with a company column names
        the contact with it; otherwise it is the record's own name."""
        named = {f for column, f in self.columns.items() if f == "name" and _role(column) not in ("first-name", "last-name")}
        return "contact" if self.kind == "customers" and named else "name"


def _second_value(column: str) -> bool:
    """A vCard's second phone or email ("TEL 2"): the contact keeps the first, the note the others; not unknown."""
    return re.fullmatch(r"(TEL|EMAIL|X-WECHAT) \d+", column) is not None


def _resolve(role: str, kind: str, taken: set[str]) -> str:
    if role == _ORG:
        return {"customers": "name", "leads": "company"}.get(kind, "customer")
    if role == _PERSON:
        if kind in HISTORY_KINDS:  # the person is the customer, or the contact spoken to at a named company
            return "contact" if "customer" in taken else "customer"
        if kind == "customers":
            return "contact" if "name" in taken else "name"
        return "name"
    return role


def history_kind(headers: list[str]) -> str | None:
    """The kind of history a sheet's headers say it holds (deals, follow-ups), or None for records of the book."""
    keys = {header_key(header) for header in headers}
    for kind, marks in _HISTORY_MARKS.items():
        if keys & marks:
            return kind
    return None


def detect(headers: list[str], kind: str) -> Mapping:
    """The mapping the headers suggest for this kind of record."""
    mapping = Mapping(kind)
    roles = {header: _role(header, kind) for header in headers}
    has_org = _ORG in roles.values()
    has_person = _PERSON in roles.values() or "first-name" in roles.values()
    job_titles = [h for h, r in roles.items() if r == "title" and header_key(h) != "title"]
    if kind in HISTORY_KINDS:
        job_titles = []
        if kind == "deals" and "title" not in roles.values():  # a deal named by its product, as many exports do
            roles = {header: "title" if role == "interest" else role for header, role in roles.items()}
    for header, role in roles.items():
        if role is None:
            mapping.columns[header] = "note"
            if not _second_value(header):
                mapping.unknown.append(header)
        elif role == "title" and job_titles and header not in job_titles:
            mapping.columns[header] = "note"  # Outlook's Title is Mr./Ms.; its Job Title is the job
        elif role == _ORG and kind == "customers":
            mapping.columns[header] = "name" if "name" not in mapping.columns.values() else "note"
        elif role == _PERSON and kind == "customers":
            mapping.columns[header] = "contact" if has_org else "name"
        elif role == _PERSON and kind in HISTORY_KINDS:
            mapping.columns[header] = "contact" if has_org else "customer"
        elif role == _PERSON and kind == "leads" or role == _ORG and kind == "leads" and not has_person:
            mapping.columns[header] = "name"
        else:
            mapping.columns[header] = _resolve(role, kind, set(mapping.columns.values()))
    if own_export_kind(headers) == kind:
        for header in headers:
            own = OWN_EXPORT[kind].get(header_key(header))
            if own is not None:
                mapping.columns[header] = own
                if header in mapping.unknown:
                    mapping.unknown.remove(header)
    return mapping


def for_vcard(kind: str) -> Mapping:
    """A phone's cards: the person is the contact (contacts, leads) or the customer (customers), ORG its company."""
    if kind in HISTORY_KINDS:
        raise MappingError("--kind {kind}: a vCard holds people; import it as customers, contacts or leads", kind=kind)
    mapping = detect(list(VCARD_COLUMNS), kind)
    mapping.columns.update({"FN": "contact" if kind == "customers" else "name", "X-WECHAT": "wechat"})
    mapping.columns["ORG"] = {"customers": "name", "contacts": "customer", "leads": "company"}[kind]
    mapping.unknown.clear()
    return mapping


def parse_map_option(text: str) -> tuple[str, str]:
    """`--map COLUMN=field` as (column, field)."""
    column, sep, name = text.rpartition("=")
    if not sep or not column.strip():
        raise MappingError('--map: COLUMN=field expected, e.g. --map "传真=note" (got "{text}")', text=text)
    return column.strip(), check_field(name.strip(), "--map")


def check_field(name: str, where: str) -> str:
    """A field name as the rep wrote it, or a refusal listing the fields."""
    if name not in FIELDS:
        raise MappingError('{where}: unknown field "{name}"; fields are: {fields}', where=where, name=name,
                           fields=", ".join(FIELDS))
    return name


def mappings_dir() -> Path:
    """Where mappings saved by name live: `mappings/` in the config folder."""
    return paths.config_dir() / "mappings"


def mapping_path(name_or_path: str) -> Path:
    """A mapping given as a file, or by the name it was saved under."""
    given = Path(name_or_path).expanduser()
    if given.exists() or given.suffix == ".toml" or "/" in name_or_path:
        return given
    return mappings_dir() / f"{name_or_path}.toml"


def read(name_or_path: str) -> tuple[Path, dict[str, object]]:
    """A mapping file (or a mapping saved by name) read and its kind checked; applied to a mapping by apply()."""
    path = mapping_path(name_or_path)
    if not path.exists():
        saved = sorted(p.stem for p in mappings_dir().glob("*.toml")) if mappings_dir().is_dir() else []
        raise MappingError("--mapping: no file {path}{saved}", path=path,
                           saved=f" (saved mappings: {', '.join(saved)})" if saved else "")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise MappingError("{path}: not a readable TOML mapping ({reason})", path=path, reason=exc) from None
    for key in data:
        if key not in ("kind", "columns", "values"):
            raise MappingError('{path}: unknown table "{key}"; a mapping has kind, [columns] and [values.FIELD]',
                               path=path, key=key)
    kind = data.get("kind")
    if kind is not None and kind not in KINDS:
        raise MappingError('{path}: kind: one of {kinds} (got "{kind}")', path=path, kinds=", ".join(KINDS), kind=kind)
    return path, data


def apply(path: Path, data: dict[str, object], mapping: Mapping) -> None:
    """A mapping file's columns and value tables laid over the detected mapping (they win)."""
    columns = data.get("columns", {})
    values = data.get("values", {})
    if not isinstance(columns, dict) or not isinstance(values, dict):
        raise MappingError("{path}: [columns] and [values.FIELD] must be tables", path=path)
    for column, name in columns.items():
        if not isinstance(name, str):
            raise MappingError('{path}: column "{column}": a field name in quotes', path=path, column=column)
        mapping.columns[column] = check_field(name, f'{path}: column "{column}"')
        if column in mapping.unknown:
            mapping.unknown.remove(column)
    for name, table in values.items():
        check_field(name, f"{path}: [values.{name}]")
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise MappingError('{path}: [values.{name}]: "value in the file" = "value to store" lines', path=path,
                               name=name)
        mapping.values.setdefault(name, {}).update(table)


def to_toml(mapping: Mapping, source_name: str) -> str:
    """The mapping as a file ready to save, edit and pass back with --mapping."""
    def quoted(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string

    lines = [f"# crm import mapping for {source_name}: save it, edit it, then: crm import FILE --mapping THIS.toml",
             f"kind = {quoted(mapping.kind)}", "", "[columns]"]
    for column, name in mapping.columns.items():
        comment = "  # not recognised: kept in the note" if column in mapping.unknown else ""
        lines.append(f"{quoted(column)} = {quoted(name)}{comment}")
    for name, table in mapping.values.items():
        lines += ["", f"[values.{quoted(name) if not re.fullmatch(r'[A-Za-z0-9_-]+', name) else name}]"]
        lines += [f"{quoted(key)} = {quoted(value)}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


def save(mapping: Mapping, name: str, source_name: str) -> Path:
    """Saves the mapping under a name (`--save-mapping NAME`), for `--mapping NAME` next time."""
    if not re.fullmatch(r"[\w.-]+", name) or name.startswith("."):
        raise MappingError('--save-mapping: a name of letters, digits, "-" or "_" (got "{name}")', name=name)
    path = mappings_dir() / f"{name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_toml(mapping, source_name), encoding="utf-8")
    return path
