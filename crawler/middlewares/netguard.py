"""The private-network guard: never request an address the crawl was not pointed at.

A link (or a redirect, or a robots.txt fetch) whose host resolves to a private,
loopback, link-local or otherwise non-public address is refused, unless a seed
is on that very host or ``ALLOW_PRIVATE_NETWORKS`` is set. The decision is the
pure function :func:`decide`; :class:`NetGuardMiddleware` resolves the host
(every address ``getaddrinfo`` gives) and applies it before any other
middleware can send a packet (it runs ahead of robots.txt). The same decision
is taken again at connect time, on the address Twisted is about to connect to,
by :mod:`crawler.middlewares.connectguard` (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Prefix of every refusal message (and of the captures row's ``error``).
REFUSED = "Refused by the private-network guard"

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), if any."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def classify(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public address (``"loopback"``, ``"private"``, ...), or None."""
    inner = embedded_ipv4(ip)
    if inner is not None:
        kind = classify(inner)
        if kind is not None:
            return kind
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_multicast:
        return "multicast"
    if ip.is_private:
        return "private"
    if ip.is_reserved or not ip.is_global:
        return "reserved"  # carrier-grade NAT, documentation ranges, ...
    return None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # "public", "allowed", "seed_host", or the class of the refused address
    address: str | None = None  # the refused address, when refused


def decide(
    host: str,
    addresses: Iterable[IPAddress],
    *,
    seed_hosts: Iterable[str] = (),
    seed_addresses: Iterable[IPAddress] = (),
    allow_private: bool = False,
) -> Decision:
    """Whether a request to ``host`` (resolving to ``addresses``) may be sent.

    Refused when any address is not public, unless ``allow_private``, or ``host``
    is a seed's host, or every non-public address is one a seed host resolves to.
    No addresses (the name does not resolve) is left to the downloader, which
    fails the request the ordinary way.
    """
    if allow_private:
        return Decision(True, "allowed")
    host = host.lower().strip("[]")
    seeds = {h.lower().strip("[]") for h in seed_hosts}
    seed_ips = set(seed_addresses)
    via_seed = host in seeds
    for ip in addresses:
        kind = classify(ip)
        if kind is None:
            continue
        if host in seeds or ip in seed_ips:
            via_seed = True
            continue
        return Decision(False, kind, str(ip))
    return Decision(True, "seed_host" if via_seed else "public")


def literal_address(host: str) -> IPAddress | None:
    """``host`` as an IP address when it is one written in the usual notation."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def resolve(host: str) -> list[IPAddress]:
    """Every address ``host`` resolves to (blocking; empty when it does not resolve).

    ``getaddrinfo`` also reads the odd numeric forms (``2130706433``, ``0x7f.1``).
    """
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    found: list[IPAddress] = []
    for info in infos:
        raw = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone index
        ip = literal_address(raw)
        if ip is not None and ip not in found:
            found.append(ip)
    return found


def seed_hosts(spider: Spider | None) -> set[str]:
    """The hosts of a spider's seeds (``seeds``, else ``start_urls``), lower case."""
    seeds = getattr(spider, "seeds", None) or getattr(spider, "start_urls", None) or []
    return {(urlsplit(url).hostname or "").lower() for url in seeds} - {""}


#: Each crawler's guard, so the connect-time resolver shares its seed hosts and addresses.
GUARDS: weakref.WeakKeyDictionary[Crawler, NetGuardMiddleware] = weakref.WeakKeyDictionary()


class NetGuardMiddleware:
    """Downloader middleware applying :func:`decide` to every request before it is sent.

    Refusals raise IgnoreRequest (the spider's errback records a captures row)
    and are counted as ``morgue/netguard/refused/<class>``.
    """

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.allow_private = crawler.settings.getbool("ALLOW_PRIVATE_NETWORKS")
        self._cache: dict[str, list[IPAddress]] = {}
        self.seed_hosts: set[str] | None = None  # known once the first request comes
        self.seed_addresses: set[IPAddress] = set()
        GUARDS[crawler] = self

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NetGuardMiddleware:
        return cls(crawler)

    async def _load_seeds(self) -> set[str]:
        hosts = seed_hosts(self.crawler.spider)
        for host in hosts:
            self.seed_addresses.update(await self._addresses(host))
        self.seed_hosts = hosts
        return hosts

    async def _addresses(self, host: str) -> list[IPAddress]:
        if host not in self._cache:
            literal = literal_address(host)
            if literal is not None:
                self._cache[host] = [literal]
            else:
                self._cache[host] = await maybe_deferred_to_future(deferToThread(resolve, host))
        return self._cache[host]

    async def process_request(self, request: Request) -> None:
        if self.allow_private:
            return
        host = urlsplit(request.url).hostname or ""
        if not host:
            return
        seed_hosts = self.seed_hosts
        if seed_hosts is None:
            seed_hosts = await self._load_seeds()
        decision = decide(
            host,
            await self._addresses(host),
            seed_hosts=seed_hosts,
            seed_addresses=self.seed_addresses,
        )
        if decision.allowed:
            return
        self.stats.inc_value(f"morgue/netguard/refused/{decision.reason}")
        logger.info(
            "refused %s: %s is a %s address", request.url, decision.address, decision.reason
        )
        raise IgnoreRequest(
            f"{REFUSED}: {host} resolves to {decision.address} ({decision.reason}); "
            "set ALLOW_PRIVATE_NETWORKS to crawl private hosts"
        )
