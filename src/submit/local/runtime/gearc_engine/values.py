"""Values between Redis, gear code and the reply: bulk strings as RedisGears hands them to
Python, and result records as RG.PYEXECUTE replies them."""

from .protocol import Fatal, clean_text


def redis_text(raw):
    """A bulk string as RedisGears hands it to Python: str, or bytearray if not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return bytearray(raw)


def reply_value(obj):
    """A result record as it travels in RG.PYEXECUTE's reply (ref 3.4, C: PythonRecord_SendReply),
    made JSON: an error reply inside the array becomes {"error": text}."""
    if isinstance(obj, list):
        return [reply_value(item) for item in obj]
    if isinstance(obj, int):
        value = int(obj)
        if not -(1 << 63) <= value < (1 << 63):
            # PyLong_AsLongLong fails, and the failure crashes the server (SIGSEGV, measured on
            # RedisGears 1.2.13): stop rather than show a reply the server never sends.
            raise Fatal("a result is an integer beyond 64 bits (%d); replying it crashes a RedisGears "
                        "1.2 server (run() with convertToStr=False). Return it as a string" % value)
        return value
    if isinstance(obj, float):
        return "%f" % obj
    if isinstance(obj, str):
        if len(obj.encode("utf-8", "replace")) > 1:
            if obj[0] == "+":
                return clean_text(obj[1:])  # a status reply
            if obj[0] == "-":
                return {"error": clean_text(obj[1:])}  # an error reply
        return clean_text(obj)
    if isinstance(obj, bytes):
        return obj.decode("utf-8", "replace")
    return "PY RECORD"
