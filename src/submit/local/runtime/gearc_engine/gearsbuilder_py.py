"""Where things are in the server's GearsBuilder.py (RedisGears 1.2.13, measured).

The server runs its GearsBuilder.py as "<string>", like the submitted module, so its frames
appear in error texts with these line numbers; the engine shows the same frames. gearc maps
an error to the innermost *module* frame, skipping METHOD_FRAMES: src/submit/reply.rs holds
the same table as GEARSBUILDER_METHOD_FRAMES, and tests/engine_contracts.rs checks that the
two agree.
"""

# Methods that call RedisGears' C code: an error the C code raises has this frame on top.
INIT = ("__init__", 84)
AVG = ("avg", 155)  # avg() validates its extractor through map()
RUN_KEYS_ONLY = ("run", 171)  # KeysOnlyReader: run() builds its generator first
RUN = ("run", 172)
REGISTER = ("register", 183)
DECO = ("deco", 187)  # the wrapper of every C-backed operation (map, filter, ...)

METHOD_FRAMES = (INIT, AVG, RUN_KEYS_ONLY, RUN, REGISTER, DECO)

# The lines of its lambdas (the sugar operations are Python there). An error inside one, or
# in gear code it calls, has a `line N, in <lambda>` frame.
LOCAL_AGGREGATEBY = 88  # __localAggregateby__'s extractor and aggregator (aggregateby, countby)
AGGREGATE = 98
AGGREGATE_COMBINE = 100
AGGREGATEBY_COMBINE = 112
COUNT = 119
COUNT_COMBINE = 121
COUNTBY_EXTRACTOR = 124
COUNTBY = 129
SORT_AGGREGATE = 136
SORT_SORTED = 137
SORT_FLATMAP = 138
DISTINCT = 145
AVG_EXTRACTOR = 147
AVG_AGGREGATE = 156
AVG_COMBINE = 157
RUN_TO_STR = 164  # run(convertToStr=True)'s map
REGISTER_TO_STR = 176  # register(convertToStr=True)'s map
