# gearc's local engine, started by gearc as `python3 -u <this directory> --url URL [--watch]`
# with the module on stdin. The engine is the package beside this file (gearc_engine/).
import sys

from gearc_engine.main import main

sys.exit(main())
