"""The demo city as written in ``data/city.yaml``: 潍坊市 (GB/T 2260 370700), Shandong, its real
districts and counties, the demo departments and the demo accounts.

Department credit codes are generated in the format of 机关 codes registered in 潍坊 (登记管理部门
1 机构编制, 机构类别 1 机关, region 370700) with valid GB 11714 and GB 32100 check characters;
they are demo values, not the real departments' codes.
"""

from __future__ import annotations

from govshare.demo.datafiles import load
from govshare.orgs.validators import org_code_check_digit, uscc_with_check

NODE_CODE = "370700"

_DATA = load("city")
REGIONS = [(r["code"], r["name"], r["level"], r["parent"]) for r in _DATA["regions"]]
# (key, name, short name, kind, region code, parent key)
DEPARTMENTS = [
    (d["key"], d["name"], d["short_name"], d["kind"], d["region"], d["parent"])
    for d in _DATA["departments"]
]

DEMO_PASSWORD = "Demo#Weifang2026"

# (username, full name, [(department key, role)])
USERS = [
    (u["username"], u["full_name"], [tuple(role.split("/")) for role in u["roles"]])
    for u in _DATA["users"]
]


def department_uscc(index: int) -> str:
    """A well-formed 机关 code for the index-th demo department (both check characters valid)."""
    body = f"0049{index + 1:04d}"
    return uscc_with_check(f"11{NODE_CODE}{body}{org_code_check_digit(body)}")
