"""How the demo catalog is written: shared items, the two plan shapes (base resource, subject)
and the item-string flags explained in the package docstring."""

from __future__ import annotations

from dataclasses import dataclass

# Items many subjects share. Personal items carry their masking (standards.md §5.2).
COMMON: dict[str, str] = {
    "GMSFHM": "公民身份号码 GMSFHM C18 imp pi m=id_number",
    "XM": "姓名 XM C50 g3 pi m=name",
    "XBDM": "性别 XBDM C1 g2 pi",
    "CSRQ": "出生日期 CSRQ D8 g3 pi",
    "MZDM": "民族 MZDM C2 g3 pi",
    "LXDH": "联系电话 LXDH C18 g3 pi m=phone",
    "DZ": "住址 DZ C200 g3 pi m=address",
    "TYSHXYDM": "统一社会信用代码 TYSHXYDM C18",
    "JGMC": "机构名称 JGMC C200",
    "FDDBR": "法定代表人 FDDBR C50 g2 pi m=name",
    "XZQHDM": "行政区划代码 XZQHDM C6",
    "ZZBH": "证照编号 ZZBH C64 g2",
    "FZJG": "发证机关 FZJG C100",
    "FZRQ": "发证日期 FZRQ D8",
    "YXQZ": "有效期至 YXQZ D8",
    "SJGXSJ": "数据更新时间 SJGXSJ T14",
}

# Items every derived view adds (see demo.py).
STATISTICS_ITEMS = (
    "统计年月 TJNY C6; @XZQHDM; 区划名称 QHMC C50; 本期新增数量 BQXZSL I10; 期末累计数量 QMLJSL I10"
)
CHANGE_ITEMS = (
    "变更事项 BGSX C100; 变更前内容 BGQNR C500 g2; 变更后内容 BGHNR C500 g2; 变更日期 BGRQ D8"
)
VERIFY_ITEMS = "核验结果 HYJG C1; 核验时间 HYSJ T14"

PIPL_34 = (
    "《中华人民共和国个人信息保护法》第三十四条：国家机关为履行法定职责处理个人信息，不得超出"
    "履行法定职责所必需的范围和限度"
)


@dataclass(frozen=True)
class BaseResource:
    """One of the five base information resources (基础信息资源), with all its items."""

    department: str
    category: str
    name: str
    summary: str
    items: str
    system: str
    share: str = "conditional"
    condition: str = ""
    is_open: bool = False
    open_condition: str = ""
    cycle: str = "daily"
    format_type: str = "Oracle"
    mode: str = "api"
    keywords: str = ""
    tags: str = ""


@dataclass(frozen=True)
class Subject:
    """A department's business subject and the views of it that the demo catalogues."""

    stem: str
    category: str
    about: str
    items: str
    views: str = "rcs"  # r record, c change log, s statistics, v verification, d documents
    share: str = "conditional"
    basis: str = ""
    system: str = ""
    cycle: str = "daily"
    is_open: bool = False
    tags: str = ""  # k: key-supervision list (重点监管), g: government-service list (政务服务)
    record: str = ""  # the record's name when "<stem>信息" does not read well
