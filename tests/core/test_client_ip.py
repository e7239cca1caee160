"""The client's address behind (or without) a reverse proxy (issue #11 item 5)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from govshare.core.web.client_ip import client_ip
from govshare.settings import check_networks

PROXY = "10.0.0.2"


def _ip(remote: str, forwarded: str | None = None) -> str | None:
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


def test_without_trusted_proxies_the_peer_is_the_client_whatever_a_header_says(settings):
    settings.GOVSHARE_TRUSTED_PROXIES = []
    assert _ip("10.1.2.3", "192.0.2.1") == "10.1.2.3"


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("198.51.100.9, 192.0.2.1", "192.0.2.1"),  # the left entry the client wrote itself
        ("192.0.2.1, 10.0.0.1", "192.0.2.1"),  # through two trusted proxies
        ("garbage", PROXY),  # nothing usable: the proxy itself
        ("192.0.2.1, garbage", PROXY),
        ("", PROXY),
    ],
)
def test_from_a_trusted_proxy_the_nearest_untrusted_forwarded_address_is_the_client(
    settings, forwarded, client
):
    settings.GOVSHARE_TRUSTED_PROXIES = ["10.0.0.0/30"]
    assert _ip(PROXY, forwarded) == client


def test_a_peer_outside_the_trusted_proxies_is_not_believed(settings):
    settings.GOVSHARE_TRUSTED_PROXIES = ["10.0.0.0/30"]
    assert _ip("10.0.0.9", "192.0.2.1") == "10.0.0.9"


def test_an_ipv4_mapped_address_is_the_ipv4_one_and_no_address_is_none(settings):
    settings.GOVSHARE_TRUSTED_PROXIES = []
    assert _ip("::ffff:10.1.2.3") == "10.1.2.3"
    assert _ip("") is None


def test_a_trusted_proxy_that_is_no_network_stops_start_up():
    check_networks("GOVSHARE_TRUSTED_PROXIES", ["10.0.0.1", "fd00::/8"])
    with pytest.raises(ValueError, match="GOVSHARE_TRUSTED_PROXIES: 'proxy.local'"):
        check_networks("GOVSHARE_TRUSTED_PROXIES", ["proxy.local"])
