"""The private-network guard's decision, on addresses only: no request is made here."""

from __future__ import annotations

import ipaddress

import pytest

from crawler.middlewares.netguard import classify, decide, embedded_ipv4, literal_address, resolve

ip = ipaddress.ip_address


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link_local"),  # cloud metadata
        ("127.0.0.1", "loopback"),
        ("127.0.0.2", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("100.64.0.1", "reserved"),  # carrier-grade NAT
        ("224.0.0.1", "multicast"),
        ("::1", "loopback"),
        ("fd00::1", "private"),
        ("fe80::1", "link_local"),
        ("::", "unspecified"),
        ("::ffff:10.0.0.1", "private"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "link_local"),
        ("2002:a00:1::", "private"),  # 6to4 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", "link_local"),  # NAT64 of 169.254.169.254
        ("93.184.216.34", None),
        ("8.8.8.8", None),
        ("2606:4700::1111", None),
    ],
)
def test_classify(address: str, kind: str | None) -> None:
    assert classify(ip(address)) == kind


@pytest.mark.parametrize(
    ("host", "addresses", "seeds", "allowed", "reason"),
    [
        ("example.com", ["93.184.216.34"], [], True, "public"),
        ("10.0.0.1", ["10.0.0.1"], ["example.com"], False, "private"),
        ("169.254.169.254", ["169.254.169.254"], ["example.com"], False, "link_local"),
        ("192.168.1.1", ["192.168.1.1"], ["example.com"], False, "private"),
        ("[fd00::1]", ["fd00::1"], ["example.com"], False, "private"),
        ("metadata.internal", ["169.254.169.254"], ["example.com"], False, "link_local"),
        # a public name with one private address among public ones: refused
        ("mixed.example", ["93.184.216.34", "10.1.2.3"], [], False, "private"),
        # the seed's own host is allowed, by name or by address
        ("127.0.0.1", ["127.0.0.1"], ["127.0.0.1"], True, "seed_host"),
        ("intranet", ["10.0.0.7"], ["intranet"], True, "seed_host"),
        ("localhost", ["127.0.0.1"], ["127.0.0.1"], True, "seed_host"),  # same address
        # other loopback hosts than the seed's are not
        ("127.0.0.2", ["127.0.0.2"], ["127.0.0.1"], False, "loopback"),
        ("::1", ["::1"], ["127.0.0.1"], False, "loopback"),
        ("localhost", ["127.0.0.1", "::1"], ["127.0.0.1"], False, "loopback"),
        ("unresolvable.invalid", [], [], True, "public"),  # the downloader fails it
    ],
)
def test_decide(
    host: str, addresses: list[str], seeds: list[str], allowed: bool, reason: str
) -> None:
    seed_addresses = [ip(s) for s in seeds if literal_address(s)]
    decision = decide(
        host, [ip(a) for a in addresses], seed_hosts=seeds, seed_addresses=seed_addresses
    )
    assert (decision.allowed, decision.reason) == (allowed, reason)
    if not allowed:
        assert decision.address in addresses


def test_allow_private_networks_allows_everything() -> None:
    decision = decide("10.0.0.1", [ip("10.0.0.1")], allow_private=True)
    assert decision.allowed


def test_embedded_ipv4_only_for_ipv6_forms_that_carry_one() -> None:
    assert embedded_ipv4(ip("10.0.0.1")) is None
    assert embedded_ipv4(ip("2606:4700::1111")) is None
    assert embedded_ipv4(ip("::ffff:192.168.1.1")) == ip("192.168.1.1")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", ["127.0.0.1"]),
        ("[::1]", ["::1"]),
        ("2130706433", ["127.0.0.1"]),  # a decimal IPv4 literal: getaddrinfo reads it, no DNS
        ("0x7f.1", ["127.0.0.1"]),
    ],
)
def test_resolve_reads_odd_numeric_forms_without_the_network(
    host: str, expected: list[str]
) -> None:
    assert [str(a) for a in resolve(host)] == expected


def test_localhost_resolves_to_loopback_only() -> None:
    found = resolve("localhost")
    assert found
    assert {classify(a) for a in found} == {"loopback"}
