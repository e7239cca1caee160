"""The demo city: 潍坊市 (GB/T 2260 370700), Shandong, with its real districts and counties.

Department credit codes are generated in the format of 机关 codes registered in 潍坊 (登记管理部门
1 机构编制, 机构类别 1 机关, region 370700) with valid GB 11714 and GB 32100 check characters;
they are demo values, not the real departments' codes.
"""

from __future__ import annotations

from govshare.orgs.validators import org_code_check_digit, uscc_with_check

NODE_CODE = "370700"

REGIONS = [
    ("100000", "中华人民共和国", "country", None),
    ("370000", "山东省", "province", "100000"),
    ("370700", "潍坊市", "city", "370000"),
    ("370702", "潍城区", "county", "370700"),
    ("370703", "寒亭区", "county", "370700"),
    ("370704", "坊子区", "county", "370700"),
    ("370705", "奎文区", "county", "370700"),
    ("370724", "临朐县", "county", "370700"),
    ("370725", "昌乐县", "county", "370700"),
    ("370781", "青州市", "county", "370700"),
    ("370782", "诸城市", "county", "370700"),
    ("370783", "寿光市", "county", "370700"),
    ("370784", "安丘市", "county", "370700"),
    ("370785", "高密市", "county", "370700"),
    ("370786", "昌邑市", "county", "370700"),
]

# (key, name, short name, kind, region code, parent key)
DEPARTMENTS = [
    ("dsj", "潍坊市大数据局", "大数据局", "government", NODE_CODE, None),
    ("gaj", "潍坊市公安局", "公安局", "government", NODE_CODE, None),
    ("rsj", "潍坊市人力资源和社会保障局", "人社局", "government", NODE_CODE, None),
    ("czj", "潍坊市财政局", "财政局", "government", NODE_CODE, None),
    ("zjj", "潍坊市住房和城乡建设局", "住建局", "government", NODE_CODE, None),
    ("zrj", "潍坊市自然资源和规划局", "自然资源和规划局", "government", NODE_CODE, None),
    ("cgj", "潍坊市城市管理局", "城管局", "government", NODE_CODE, None),
    ("bdc", "潍坊市不动产登记中心", "不动产登记中心", "institution", NODE_CODE, "zrj"),
    ("nyj", "潍坊市农业农村局", "农业农村局", "government", NODE_CODE, None),
    ("swj", "潍坊市水利局", "水务局", "government", NODE_CODE, None),
    ("jyj", "潍坊市教育局", "教育局", "government", NODE_CODE, None),
    ("wjw", "潍坊市卫生健康委员会", "卫健委", "government", NODE_CODE, None),
    ("jtj", "潍坊市交通运输局", "交通运输局", "government", NODE_CODE, None),
    ("sw", "国家税务总局潍坊市税务局", "税务局", "vertical", NODE_CODE, None),
    ("scj", "潍坊市市场监督管理局", "市场监管局", "government", NODE_CODE, None),
    ("mzj", "潍坊市民政局", "民政局", "government", NODE_CODE, None),
    ("sjj", "潍坊市审计局", "审计局", "government", NODE_CODE, None),
    ("sgdsj", "寿光市大数据中心", "寿光大数据中心", "institution", "370783", None),
    ("qzgaj", "青州市公安局", "青州公安局", "government", "370781", None),
]

DEMO_PASSWORD = "Demo#Weifang2026"

# (username, full name, [(department key, role)])
USERS = [
    ("admin", "平台管理员", [("dsj", "platform_admin"), ("dsj", "staff")]),
    ("reviewer", "王审核", [("dsj", "reviewer"), ("dsj", "staff")]),
    ("auditor", "李审计", [("sjj", "auditor")]),
    ("ga_officer", "张公安", [("gaj", "data_officer")]),
    ("ga_staff", "赵民警", [("gaj", "staff")]),
    ("rs_officer", "刘人社", [("rsj", "data_officer")]),
    ("sc_officer", "陈市场", [("scj", "data_officer")]),
    ("zj_officer", "孙住建", [("zjj", "data_officer"), ("bdc", "data_officer")]),
]


def department_uscc(index: int) -> str:
    """A well-formed 机关 code for the index-th demo department (both check characters valid)."""
    body = f"0049{index + 1:04d}"
    return uscc_with_check(f"11{NODE_CODE}{body}{org_code_check_digit(body)}")
