"""Whatever the granted items and whatever the parameters, an item not granted never reaches the
caller: never its stored values, and never its name unless the caller named it in the request.
The mount's key items are the exception for names only: they are the resource's published
lookup keys, named when a call gives none."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from govshare.sharing.models import ShareRequest
from tests.exchange.gateway.factories import ITEMS, KEY_ITEMS, MASKING, PEOPLE, grant

COLUMN_INDEX = {item: index for index, item in enumerate(ITEMS)}
SQLISH = ["' OR '1'='1", "1; DROP TABLE person; --", '" OR ""="', "%", "_", "*", "\\", "')--"]
values = st.one_of(
    st.sampled_from([person[i] for person in PEOPLE for i in range(6)]),
    st.sampled_from(SQLISH),
    st.text(max_size=30),
    st.integers(-5, 200).map(str),
)
names = st.one_of(
    st.sampled_from([*ITEMS, "items", "limit", "offset"]),
    st.text(alphabet="abcXYZ_", min_size=1, max_size=8),
)
items_param = st.lists(st.sampled_from([*ITEMS, "NOPE"]), max_size=4).map(",".join)
params = st.dictionaries(
    names,
    st.one_of(values, st.lists(values, min_size=1, max_size=3)),
    max_size=5,
).flatmap(lambda p: st.one_of(st.just(p), items_param.map(lambda i: {**p, "items": i})))
# Calls that look right (real keys, maybe items and paging), so many examples reach the data.
real_keys = st.fixed_dictionaries(
    {"GMSFHM": st.lists(st.sampled_from([p[0] for p in PEOPLE]), min_size=1, max_size=3)},
    optional={
        "XM": st.sampled_from([p[1] for p in PEOPLE]),
        "items": items_param,
        "limit": st.integers(0, 100).map(str),
    },
)
any_params = st.one_of(real_keys, real_keys, params)
granted_sets = st.sets(st.sampled_from(list(ITEMS)), min_size=1).map(sorted)
maskings = st.sampled_from(["default", "none", "custom"])


def secrets_of(items: list[str]) -> set[str]:
    """Stored values of ``items`` long enough to be recognised in a body."""
    found = {person[COLUMN_INDEX[item]] for person in PEOPLE for item in items}
    return {value for value in found if len(value) >= 4}


def requested_text(request_params: dict) -> str:
    return json.dumps(request_params, ensure_ascii=False)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    granted=granted_sets,
    masking=maskings,
    mode=st.sampled_from(["query", "verify"]),
    request_params=any_params,
    use_post=st.booleans(),
)
def test_no_item_that_is_not_granted_ever_reaches_the_caller(
    world, gw, granted, masking, mode, request_params, use_post
):
    # given a grant of a random item set (earlier examples' grants revoked)
    ShareRequest.objects.filter(state="active").update(state="revoked")
    kinds = {
        item: (MASKING.get(item, "none") if masking == "default" else masking) for item in granted
    }
    grant(world, kinds, mode=mode)
    gw.refresh()
    token = gw.token(world)
    hidden = [item for item in ITEMS if item not in granted]

    # when the application calls with random parameters
    path = f"/gw/resources/{world.ref}/{mode}"
    if mode == "verify" and not use_post:  # one value each, as a verification takes
        request_params = {k: v[0] if isinstance(v, list) else v for k, v in request_params.items()}
    if mode == "verify" or use_post:
        response = gw.call("POST", path, token, json=request_params)
    else:
        response = gw.call("GET", path, token, params=request_params)

    # then no value of a hidden item is in the answer, nor a hidden name it did not ask about
    assert response.status_code in {200, 403, 404, 413, 422}, response.text
    event(f"{mode} {response.status_code}")
    text = response.text
    for value in secrets_of(hidden):
        assert value not in text, (value, text)
    asked = requested_text(request_params)
    for item in (item for item in hidden if item not in KEY_ITEMS):
        assert item not in text or item in asked, (item, text)
    if response.status_code == 200 and mode == "query":
        for row in response.json()["rows"]:
            assert set(row) <= set(granted)
