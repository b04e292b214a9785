"""Building a whole body's facts or rows in memory without the cyclic garbage collector running meanwhile.

Loading 100,000 people creates millions of small objects (rows, dates, tuples, frozen dataclasses) and no cycles;
each generation-2 collection the allocations trigger walks the whole heap again, so the collector's cost grows
with the square of the body's size (issue 13, decision 0170). :func:`collecting_later` pauses automatic collection
for a block and restores it after; nothing is leaked (reference counting still frees everything at once, and the
next automatic collection after the block sees whatever cycles there are).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collecting_later() -> Iterator[None]:
    """Automatic garbage collection paused for the block (re-entrant: only the outermost block re-enables it)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
