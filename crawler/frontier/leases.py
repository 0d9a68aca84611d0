"""Leases: a popped request stays in Redis until the worker's shard has committed it.

``pop`` moves the best request from the job's queue into the worker's lease hash in
one Lua script, so at every instant each request is either queued or leased. The
worker acknowledges (deletes) a lease once the request is done and the store
pipeline has committed what it produced. A worker whose heartbeat key expired (it
was killed) has its leases put back in the queue by any other worker (``reap``).
"""

from __future__ import annotations

from typing import Any

from crawler.frontier.keys import JobKeys

# KEYS: seen, queue; ARGV: fingerprint, score, request. 0: seen before (not queued).
_PUSH_NEW = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# KEYS: queue, leases(worker); ARGV: lease id
_POP = """
local m = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #m == 0 then return false end
redis.call('ZREM', KEYS[1], m[1])
redis.call('HSET', KEYS[2], ARGV[1], m[2] .. '\\n' .. m[1])
return m[1]
"""

# KEYS: queue, leases(worker), workers, alive(worker); ARGV: worker, force
_REQUEUE = """
if ARGV[2] ~= '1' and redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
local all = redis.call('HGETALL', KEYS[2])
for i = 2, #all, 2 do
  local v = all[i]
  local nl = string.find(v, '\\n', 1, true)
  redis.call('ZADD', KEYS[1], string.sub(v, 1, nl - 1), string.sub(v, nl + 1))
end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
return #all / 2
"""

# KEYS: queue, workers, seeded; ARGV: lease key prefix. -1: not seeded yet.
_OUTSTANDING = """
if redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
local n = redis.call('ZCARD', KEYS[1])
for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  n = n + redis.call('HLEN', ARGV[1] .. w)
end
return n
"""


class Leases:
    def __init__(self, server: Any, keys: JobKeys, worker: str) -> None:
        self.server = server
        self.keys = keys
        self.worker = worker
        self._push_new = server.register_script(_PUSH_NEW)
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)
        self._outstanding = server.register_script(_OUTSTANDING)
        self._next = 0

    def push_new(self, fingerprint: bytes, priority: int, data: bytes) -> bool:
        """Queue a request unless its fingerprint was seen: one round trip, atomic."""
        keys = [self.keys.seen, self.keys.queue]
        return bool(self._push_new(keys=keys, args=[fingerprint, -priority, data]))

    def pop(self) -> tuple[str, bytes] | None:
        """The best queued request, leased to this worker: (lease, serialized request)."""
        self._next += 1
        lease = str(self._next)
        data = self._pop(keys=[self.keys.queue, self.keys.leases(self.worker)], args=[lease])
        return (lease, data) if data else None

    def ack(self, leases: list[str]) -> None:
        if leases:
            self.server.hdel(self.keys.leases(self.worker), *leases)

    def requeue(self, worker: str, *, force: bool = False) -> int:
        """Put ``worker``'s leased requests back in the queue: only once its heartbeat has
        expired unless ``force`` (this worker closing). -1: it is alive."""
        keys = self.keys
        return int(
            self._requeue(
                keys=[keys.queue, keys.leases(worker), keys.workers, keys.alive(worker)],
                args=[worker, "1" if force else "0"],
            )
        )

    def reap(self) -> int:
        """Requeue the leases of every dead worker; how many requests went back."""
        moved = 0
        for raw in self.server.smembers(self.keys.workers):
            worker = raw.decode() if isinstance(raw, bytes) else str(raw)
            if worker != self.worker:
                moved += max(self.requeue(worker), 0)
        return moved

    def outstanding(self) -> int:
        """Queued plus leased requests of the job, atomically; -1 before any seeding."""
        keys = self.keys
        return int(
            self._outstanding(keys=[keys.queue, keys.workers, keys.seeded], args=[keys.leases("")])
        )
