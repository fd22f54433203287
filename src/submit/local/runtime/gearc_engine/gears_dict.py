"""RedisGears' own dict (C: src/utils/dict.c), for its iteration order.

Records that the server builds as C hash sets (KeysReader/StreamReader records, hash
values, stream entry values) and groupby/localgroupby/aggregateby/countby results come
out in the order of this dict: a Redis dict hashed with SipHash-1-2 (Redis' siphash,
which the module resolves to) under an all-zero seed that RedisGears never sets. So the
order is deterministic, e.g. a KeysReader record prints as
{'event': None, 'key': 'x', 'type': 'string', 'value': '1'}.
"""


M64 = 0xFFFFFFFFFFFFFFFF


def _sipround(v0, v1, v2, v3):
    v0 = (v0 + v1) & M64
    v1 = ((v1 << 13) | (v1 >> 51)) & M64
    v1 ^= v0
    v0 = ((v0 << 32) | (v0 >> 32)) & M64
    v2 = (v2 + v3) & M64
    v3 = ((v3 << 16) | (v3 >> 48)) & M64
    v3 ^= v2
    v0 = (v0 + v3) & M64
    v3 = ((v3 << 21) | (v3 >> 43)) & M64
    v3 ^= v0
    v2 = (v2 + v1) & M64
    v1 = ((v1 << 17) | (v1 >> 47)) & M64
    v1 ^= v2
    v2 = ((v2 << 32) | (v2 >> 32)) & M64
    return v0, v1, v2, v3


def siphash12(data):
    """SipHash-1-2 of `data` with a zero key (the key XORs are then no-ops)."""
    v0, v1, v2, v3 = 0x736f6d6570736575, 0x646f72616e646f6d, 0x6c7967656e657261, 0x7465646279746573
    n = len(data)
    full = n - n % 8
    for i in range(0, full, 8):
        m = int.from_bytes(data[i:i + 8], "little")
        v3 ^= m
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
        v0 ^= m
    b = ((n << 56) & M64) | int.from_bytes(data[full:], "little")
    v3 ^= b
    v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    v0 ^= b
    v2 ^= 0xFF
    v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


_HASH_CACHE = {}


def _dict_hash(key):
    h = _HASH_CACHE.get(key)
    if h is None:
        if len(_HASH_CACHE) > 200000:
            _HASH_CACHE.clear()
        # keys are C strings there: hashed up to the first NUL
        h = siphash12(key.encode("utf-8", "replace").split(b"\0", 1)[0])
        _HASH_CACHE[key] = h
    return h


class GearsDict(object):
    """Two tables of buckets (lists of [key, value], chain head first), incremental rehash.
    `entries` finds an entry by its key without hashing: the tables are only for the order
    (and a lookup moves a rehash along, so find() still steps it)."""
    __slots__ = ("t0", "t1", "used0", "used1", "rehashidx", "entries")

    def __init__(self):
        self.t0 = None
        self.t1 = None
        self.used0 = 0
        self.used1 = 0
        self.rehashidx = -1
        self.entries = {}

    def _tables(self):
        return (self.t0, self.t1) if self.rehashidx != -1 else (self.t0,)

    def _rehash(self, n):
        if self.rehashidx == -1:
            return
        empty_visits = n * 10
        while n > 0 and self.used0 != 0:
            n -= 1
            while not self.t0[self.rehashidx]:
                self.rehashidx += 1
                empty_visits -= 1
                if empty_visits == 0:
                    return
            mask = len(self.t1) - 1
            for entry in self.t0[self.rehashidx]:
                self.t1[_dict_hash(entry[0]) & mask].insert(0, entry)
                self.used0 -= 1
                self.used1 += 1
            self.t0[self.rehashidx] = []
            self.rehashidx += 1
        if self.used0 == 0:
            self.t0, self.used0 = self.t1, self.used1
            self.t1, self.used1, self.rehashidx = None, 0, -1

    def _expand(self, size):
        if self.rehashidx != -1 or self.used0 > size:
            return
        real = 4
        while real < size:
            real *= 2
        if self.t0 is not None and real == len(self.t0):
            return
        table = [[] for _ in range(real)]
        if self.t0 is None:
            self.t0 = table
        else:
            self.t1, self.used1, self.rehashidx = table, 0, 0

    def find(self, key):
        if self.rehashidx != -1 and self.used0 + self.used1:
            self._rehash(1)
        return self.entries.get(key)

    def add(self, key, value):
        self._rehash(1)
        h = _dict_hash(key)
        if self.rehashidx == -1:
            if self.t0 is None:
                self._expand(4)
            elif self.used0 >= len(self.t0):
                self._expand(self.used0 * 2)
        if key in self.entries:
            return None
        table = self.t1 if self.rehashidx != -1 else self.t0
        entry = self.entries[key] = [key, value]
        table[h & (len(table) - 1)].insert(0, entry)
        if table is self.t1:
            self.used1 += 1
        else:
            self.used0 += 1
        return entry

    def delete(self, key):
        if self.used0 == 0 and self.used1 == 0:
            return
        self._rehash(1)
        h = _dict_hash(key)
        for index, table in enumerate(self._tables()):
            bucket = table[h & (len(table) - 1)]
            for i, entry in enumerate(bucket):
                if entry[0] == key:
                    del bucket[i]
                    del self.entries[key]
                    if index == 0:
                        self.used0 -= 1
                    else:
                        self.used1 -= 1
                    return

    def set(self, key, value):
        """C: RG_HashSetRecordSet (get, delete an old value, add)."""
        if self.find(key) is not None:
            self.delete(key)
        self.add(key, value)

    def items(self):
        for table in self._tables():
            if table is None:
                continue
            for bucket in table:
                for entry in bucket:
                    yield entry[0], entry[1]

    def to_dict(self):
        return dict(self.items())


def hash_set_record(pairs):
    """A Python dict as the server hands a C hash-set record to Python (its dict order)."""
    d = GearsDict()
    for key, value in pairs:
        d.set(key.split("\0", 1)[0], value)
    return d.to_dict()
