# gearc's local engine, started by gearc as `python3 -u <this directory> [--watch]` with the URL
# in GEARC_ENGINE_URL (or by hand with `--url URL`)
# with the module on stdin. The engine is the package beside this file (gearc_engine/).
import sys

# gearc keeps this directory between runs (docs/local-engine.md), so the engine's bytecode
# is cached beside it, even when PYTHONDONTWRITEBYTECODE asks Python not to write bytecode:
# that setting is about the user's files, which stay untouched (it is restored below).
_user_setting = sys.dont_write_bytecode
sys.dont_write_bytecode = False
from gearc_engine.main import main  # noqa: E402
if "--watch" in sys.argv:  # main imports it only then
    __import__("gearc_engine.watch")
sys.dont_write_bytecode = _user_setting

sys.exit(main())
