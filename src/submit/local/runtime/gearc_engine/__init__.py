"""gearc's local engine: runs a RedisGears 1.2 Python module against a plain Redis.

Run as `python3 <the runtime directory> --url redis://[[user]:password@]host[:port][/db] [--watch]`
(gearc puts the URL in GEARC_ENGINE_URL instead of --url: arguments are visible to every user)
with the module source on stdin (see ../__main__.py). Output: JSON lines on stdout (see
docs/local-engine.md).

RedisGears embeds CPython 3.7: the engine only uses syntax and standard library of 3.7.
"ref N" in comments points at sections of the RedisGears reference (gears-reference.md);
"C:" names the RedisGears 1.2 source file whose behaviour a piece of code reproduces.

The modules, in dependency order: protocol (the output channel), resp (RESP client), url,
errors (the `gears` exceptions and error texts), gears_dict (RedisGears' dict order), values,
records (building reader records), rg_commands (execute('RG.…')), runtime (execute() and
friends), plan (steps), scan (bucket by bucket, many per round trip), scan_script (the same
chain of buckets followed by a script in the server), keys_reader (the
KeysReader), readers (the others), gearsbuilder_py (line numbers of the server's
GearsBuilder.py), registration, builder (GearsBuilder), script (the module's globals),
streams and watch (--watch), main.
"""
