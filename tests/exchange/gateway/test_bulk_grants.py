"""Grants of the bulk modes (库表, 文件) are delivered by syncs and packages, never by gateway
calls: a call under one is refused cleanly (403 mode_not_granted), discovery lists none, and no
interface document is given for one."""

from __future__ import annotations

import pytest

from tests.exchange.gateway.factories import grant

ZHANG = "370702199001011234"


@pytest.mark.parametrize("mode", ["table", "file"])
def test_a_call_under_a_bulk_grant_is_refused_cleanly(world, gw, mode):
    # given the application holds only a bulk grant on the resource
    grant(world, ["GMSFHM", "XM"], mode=mode)
    gw.refresh()
    token = gw.token(world)

    # when it queries the gateway, then the call is refused, naming why
    response = gw.call("GET", f"/gw/resources/{world.ref}/query", token, params={"GMSFHM": ZHANG})
    assert response.status_code == 403 and response.json()["code"] == "mode_not_granted"

    # and neither discovery nor the interface document offers the resource
    assert gw.call("GET", "/gw/resources", token).json()["resources"] == []
    document = gw.call("GET", f"/gw/resources/{world.ref}/openapi.json", token)
    assert document.status_code == 403
