"""The private-network guard at connect time, so DNS rebinding cannot slip past it (issue 6).

:class:`~crawler.middlewares.netguard.NetGuardMiddleware` resolves a request's
host and refuses non-public addresses; Twisted then resolves the name again to
connect. A DNS server answering a public address the first time and a private one
the second would get the private one connected to. :class:`GuardedResolver`
(``TWISTED_DNS_RESOLVER``) is the resolver Twisted asks at connect time: it takes
the same :func:`~crawler.middlewares.netguard.decide` on the very address it hands
back, on every answer, fresh or cached, and never caches a refused one.

Twisted's ``HostnameEndpoint`` reports any failed lookup as "no results for
hostname lookup", dropping the resolver's message. So the resolver notes each
refusal by host in :data:`refusals`, and :class:`ConnectGuardMiddleware` turns the
download's lookup error for that host into the guard's IgnoreRequest: a captures
row like any other refusal, not retried, counted as
``morgue/netguard/refused_at_connect/<class>``. The middleware also notes the
proxy each request goes through (``meta["proxy"]``, set by the crawl's code or by
HttpProxyMiddleware from the environment): the operator chose it, so a proxy on a
private address is allowed.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from scrapy.crawler import Crawler, CrawlerRunnerBase
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.resolver import CachingThreadedResolver, dnscache
from scrapy.utils.datatypes import LocalCache
from twisted.internet import defer
from twisted.internet.base import ThreadedResolver
from twisted.internet.error import DNSLookupError

from crawler.middlewares.netguard import (
    GUARDS,
    REFUSED,
    IPAddress,
    decide,
    literal_address,
    seed_hosts,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from scrapy import Request
    from twisted.internet.base import ReactorBase
    from twisted.internet.defer import Deferred
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

#: host -> (class, message) of its last refused answer; a later good answer removes it.
refusals: LocalCache[str, tuple[str, str]] = LocalCache(10000)
#: Hosts of the proxies requests were sent through (lower case).
proxy_hosts: set[str] = set()


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing the addresses the private-network guard refuses.

    Built once per process (Scrapy passes the CrawlerProcess, or a Crawler), so it
    applies the exceptions of every crawl running in the process: each one's seed
    hosts and addresses (shared with its NetGuardMiddleware, or the seeds' hosts
    and literal addresses when that middleware is disabled), the proxies in use,
    and ``ALLOW_PRIVATE_NETWORKS``.
    """

    def __init__(
        self,
        reactor: ReactorBase,
        cache_size: int,
        timeout: float,
        owner: Crawler | CrawlerRunnerBase | None = None,
    ) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.owner = owner

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: ReactorBase) -> Self:
        settings = crawler.settings
        size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, size, settings.getfloat("DNS_TIMEOUT"), owner=crawler)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        if name in dnscache:  # checked again: the exceptions may differ from when it was cached
            return defer.maybeDeferred(self.checked, name, dnscache[name])
        d = self._lookup(name)
        d.addErrback(self._forget, name)  # a name that no longer resolves was not refused
        d.addCallback(lambda address: self.checked(name, address))
        if dnscache.limit:
            d.addCallback(self._cache_result, name)  # only an answer that passed
        return d

    def _lookup(self, name: str) -> Deferred[str]:
        """The name's address from ``gethostbyname`` in a thread, with ``DNS_TIMEOUT``."""
        timeout = (self.timeout,)  # typed as ints, takes a float (as Scrapy's resolver does)
        return ThreadedResolver.getHostByName(self, name, timeout)  # type: ignore[arg-type]

    @staticmethod
    def _forget(failure: Failure, name: str) -> Failure:
        refusals.pop(name.lower(), None)
        return failure

    def checked(self, name: str, address: str) -> str:
        """``address`` if a connection to it for ``name`` is allowed; else DNSLookupError."""
        key = name.lower()
        refusal = self.refusal(name, address)
        if refusal is None:
            refusals.pop(key, None)
            return address
        refusals[key] = refusal
        logger.info("refused at connect time: %s", refusal[1])
        raise DNSLookupError(refusal[1])

    def refusal(self, name: str, address: str) -> tuple[str, str] | None:
        """Why ``name`` answering ``address`` is refused, as (class, message), or None."""
        ip = literal_address(address)
        if ip is None:  # gethostbyname answers dotted quads; anything else is not connected to
            return "unreadable", f"{REFUSED}: {name} resolves to unreadable {address!r}"
        if self.allow_private():
            return None
        hosts, addresses = self.exceptions()
        decision = decide(name, [ip], seed_hosts=hosts | proxy_hosts, seed_addresses=addresses)
        if decision.allowed:
            return None
        return decision.reason, (
            f"{REFUSED}: {name} resolves to {decision.address} ({decision.reason}) "
            "at connect time; set ALLOW_PRIVATE_NETWORKS to crawl private hosts"
        )

    def crawlers(self) -> list[Crawler]:
        """The crawls this resolver serves: the process's running crawlers, or its one crawler."""
        if isinstance(self.owner, CrawlerRunnerBase):
            return list(self.owner.crawlers)
        return [self.owner] if isinstance(self.owner, Crawler) else []

    def allow_private(self) -> bool:
        owners = [self.owner, *self.crawlers()] if self.owner is not None else []
        return any(o.settings.getbool("ALLOW_PRIVATE_NETWORKS") for o in owners)

    def exceptions(self) -> tuple[set[str], set[IPAddress]]:
        """Seed hosts and seed addresses of every crawl the resolver serves."""
        hosts: set[str] = set()
        addresses: set[IPAddress] = set()
        for crawler in self.crawlers():
            guard = GUARDS.get(crawler)
            if guard is not None and guard.seed_hosts is not None:
                hosts |= guard.seed_hosts
                addresses |= guard.seed_addresses
                continue
            own = seed_hosts(crawler.spider)  # NetGuardMiddleware disabled (or not started)
            hosts |= own
            addresses |= {ip for ip in map(literal_address, own) if ip is not None}
        return hosts, addresses


class ConnectGuardMiddleware:
    """Reports :class:`GuardedResolver`'s refusals as the guard's; notes the proxies in use.

    Sits after HttpProxyMiddleware (so it sees the environment's proxy in
    ``meta["proxy"]``) and, for exceptions, before the retry middleware (a refusal
    is not retried).
    """

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConnectGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        proxy = request.meta.get("proxy")
        if proxy:
            host = urlsplit(proxy if "//" in proxy else f"//{proxy}").hostname
            if host:
                proxy_hosts.add(host)

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not isinstance(exception, (CannotResolveHostError, DNSLookupError)):
            return
        host = urlsplit(request.url).hostname or ""
        refusal = refusals.get(host)
        if refusal is None:
            return
        kind, message = refusal
        self.stats.inc_value(f"morgue/netguard/refused_at_connect/{kind}")
        raise IgnoreRequest(message)
