"""Reference data the catalog ships: the classification tree of the 编制指南 (类 and 项, with a
few 目) and common data elements (数据元). Loaded by a data migration."""

from __future__ import annotations

from typing import Any

CATEGORIES: list[tuple[str, str]] = [
    ("1", "基础信息资源目录"),
    ("101", "人口"),
    ("101001", "户籍人口"),
    ("101002", "流动人口"),
    ("102", "法人单位"),
    ("102001", "企业法人"),
    ("102002", "机关事业单位法人"),
    ("102003", "社会组织法人"),
    ("103", "自然资源和空间地理"),
    ("104", "社会信用"),
    ("105", "电子证照"),
    ("2", "主题信息资源目录"),
    ("201", "公共服务"),
    ("202", "健康保障"),
    ("203", "社会保障"),
    ("204", "食品药品安全"),
    ("205", "安全生产"),
    ("206", "价格监管"),
    ("207", "能源安全"),
    ("208", "信用体系"),
    ("209", "城乡建设"),
    ("210", "社区治理"),
    ("211", "生态环保"),
    ("212", "应急维稳"),
    ("3", "部门信息资源目录"),
    ("301", "党中央"),
    ("302", "全国人大常委会"),
    ("303", "国务院"),
    ("304", "全国政协"),
    ("305", "最高人民法院"),
    ("306", "最高人民检察院"),
    ("307", "省（自治区、直辖市）及其下各级政务部门"),
    ("308", "计划单列市及其下各级政务部门"),
]

SEX_CODES = [
    {"code": "0", "label": "未知的性别"},
    {"code": "1", "label": "男性"},
    {"code": "2", "label": "女性"},
    {"code": "9", "label": "未说明的性别"},
]

# (identifier, name, data type, GB/T 19488 format, definition, value domain, code table)
ELEMENTS: list[tuple[str, str, str, str, str, str, list[dict[str, str]]]] = [
    (
        "GMSFHM",
        "公民身份号码",
        "C",
        "an18",
        "赋予公民的唯一的、终身不变的身份代码",
        "GB 11643，18 位，末位校验码",
        [],
    ),
    ("XM", "姓名", "C", "an..50", "在户籍管理部门正式登记注册的人的姓氏名称", "", []),
    ("XBDM", "性别代码", "C", "n1", "人的性别", "GB/T 2261.1", SEX_CODES),
    ("CSRQ", "出生日期", "D", "n8", "人出生的公历日期", "YYYYMMDD", []),
    ("MZDM", "民族代码", "C", "n2", "人所属的民族", "GB/T 3304", []),
    (
        "TYSHXYDM",
        "统一社会信用代码",
        "C",
        "an18",
        "法人和其他组织的唯一身份识别代码",
        "GB 32100，18 位",
        [],
    ),
    ("JGMC", "机构名称", "C", "an..200", "法人和其他组织经登记的名称", "", []),
    ("FDDBR", "法定代表人", "C", "an..50", "依法代表法人行使职权的负责人姓名", "", []),
    ("CLRQ", "成立日期", "D", "n8", "法人和其他组织的成立日期", "YYYYMMDD", []),
    ("ZCZB", "注册资本", "Y", "n..18", "法人登记的注册资本金额（万元）", "", []),
    ("XZQHDM", "行政区划代码", "C", "n6", "县级及以上行政区划的代码", "GB/T 2260", []),
    ("LXDH", "联系电话", "C", "an..18", "联系用的电话号码", "", []),
    ("DZ", "地址", "C", "an..200", "详细地址", "", []),
    ("ZZBH", "证照编号", "C", "an..64", "电子证照的唯一编号", "", []),
    ("ZZMC", "证照名称", "C", "an..100", "证照的名称", "", []),
    ("FZJG", "发证机关", "C", "an..100", "颁发证照的机关名称", "", []),
    ("YXQZ", "有效期至", "D", "n8", "证照有效期的截止日期", "YYYYMMDD", []),
]


def load(apps: Any, schema_editor: Any) -> None:
    Category = apps.get_model("catalog", "Category")
    DataElement = apps.get_model("catalog", "DataElement")
    nodes: dict[str, Any] = {}
    for code, name in CATEGORIES:
        level = {1: 1, 3: 2, 6: 3}.get(len(code), 4)
        parent = nodes.get(code[: {2: 1, 3: 3, 4: 6}.get(level, 0)]) if level > 1 else None
        nodes[code], _created = Category.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )
    for identifier, name, data_type, fmt, definition, domain, table in ELEMENTS:
        DataElement.objects.get_or_create(
            identifier=identifier,
            defaults={
                "name": name,
                "data_type": data_type,
                "format": fmt,
                "definition": definition,
                "value_domain": domain,
                "code_table": table,
            },
        )
