"""Building the records readers emit, cheaply, in the server's dict order.

The server builds KeysReader and StreamReader records, and hash values, as C hash sets, and
hands them to Python in the order of its own dict (gears_dict). For a record, the field
names are always the same, so the order is too: it is written out below, and
test_internals checks it against gears_dict. A hash's order depends on its field names, so
it is computed once per set of names (in the order HGETALL gave them) and reused.
"""

from itertools import repeat
from operator import itemgetter

from .gears_dict import hash_set_record
from .values import redis_text


def key_record(key, value, value_type, event):
    """A KeysReader record: hash_set_record([('key', ...), ('value', ...), ('type', ...), ('event', ...)])."""
    return {"event": event, "key": key, "type": value_type, "value": value}


def string_records(keys, values, event):
    """key_record() of each string key and value (raw bytes), at C speed where it can be;
    None when one is not UTF-8."""
    try:
        return [{"event": event, "key": key, "type": "string", "value": value}
                for key, value in zip(map(bytes.decode, keys), map(bytes.decode, values))]
    except UnicodeDecodeError:
        return None


def key_only_record(key, event):
    """A KeysReader record with readValue=False: hash_set_record([('key', ...), ('event', ...)])."""
    return {"event": event, "key": key}


def stream_record(key, entry_id, value):
    """A StreamReader record: hash_set_record([('id', ...), ('value', ...), ('key', ...)])."""
    return {"key": key, "id": entry_id, "value": value}


_HASH_ORDERS = {}  # field names as HGETALL gave them -> (names in dict order, picker of their values)


def _hash_order(names):
    """(the names in dict order, a picker of their values from the values in `names`' order)."""
    order = _HASH_ORDERS.get(names)
    if order is None:
        if len(_HASH_ORDERS) > 4096:
            _HASH_ORDERS.clear()
        decoded = [name.decode("utf-8", "replace") for name in names]
        ordered = list(hash_set_record([(name, i) for i, name in enumerate(decoded)]).items())
        indexes = [i for _, i in ordered]
        if len(indexes) > 1:
            pick = itemgetter(*indexes)
        else:  # itemgetter of one index gives the value itself, of none fails
            pick = lambda values: [values[i] for i in indexes]  # noqa: E731
        order = _HASH_ORDERS[names] = ([name for name, _ in ordered], pick)
    return order


def hash_value(flat):
    """A hash as RedisGears hands it to Python, from HGETALL's [field, value, ...] (bytes)."""
    ordered_names, pick = _hash_order(tuple(flat[0::2]))
    values = pick(flat[1::2])
    try:
        values = [value.decode("utf-8") for value in values]
    except UnicodeDecodeError:
        values = [redis_text(value) for value in values]
    return dict(zip(ordered_names, values))


def hash_values(columns):
    """hash_value() of many HGETALL replies of one length, given as columns (columns[j][r]
    is element j of reply r), at C speed when all have the same field names in the same
    order (a keyspace of alike hashes); else None."""
    names = []
    for column in columns[0::2]:
        if column.count(column[0]) != len(column):
            return None
        names.append(column[0])
    ordered_names, pick = _hash_order(tuple(names))
    picked = pick(columns[1::2])
    try:
        picked = [list(map(bytes.decode, column)) for column in picked]
    except UnicodeDecodeError:
        picked = [list(map(redis_text, column)) for column in picked]
    return _dicts_of(tuple(ordered_names))(picked)


_DICT_MAKERS = {}  # field names -> a function making dicts of them from columns of values


def _dicts_of(names):
    """A function making [{names[0]: a, names[1]: b, ...} for a, b, ... in rows of columns]:
    a dict display per row, which costs a third of dict(zip(names, row)). The names are
    values in its namespace, never code."""
    make = _DICT_MAKERS.get(names)
    if make is None:
        if len(_DICT_MAKERS) > 256:
            _DICT_MAKERS.clear()
        if 0 < len(names) <= 32:
            values = ", ".join("v%d" % i for i in range(len(names)))
            fields = ", ".join("n%d: v%d" % (i, i) for i in range(len(names)))
            make = eval("lambda columns: [{%s} for %s, in zip(*columns)]" % (fields, values),
                        {"n%d" % i: name for i, name in enumerate(names)})
        else:
            make = lambda columns: list(map(dict, map(zip, repeat(names), zip(*columns))))  # noqa: E731
        _DICT_MAKERS[names] = make
    return make


def texts(raw):
    """redis_text() of each raw string, at C speed when all are UTF-8."""
    try:
        return list(map(bytes.decode, raw))
    except UnicodeDecodeError:
        return list(map(redis_text, raw))
