"""Say so when numba compiles pmkit's kernels: the first use on a machine takes tens of seconds.

numba caches the compiled kernels beside their source (``__pycache__/*.nbi``, or under
``NUMBA_CACHE_DIR``); while a kernel module has no cache index yet, the next call compiles
it. The command line prints one line on stderr before such a call so that a long first run
is not silent (later runs load the cache in well under a second).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

_SAID: set[str] = set()


def _cache_dirs(module: str) -> list[Path]:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        return []
    source = Path(spec.origin)
    dirs = [source.parent / "__pycache__"]
    if os.environ.get("NUMBA_CACHE_DIR"):
        # numba mirrors the source path below NUMBA_CACHE_DIR
        dirs.append(Path(os.environ["NUMBA_CACHE_DIR"]) / source.parent.relative_to(source.anchor))
    return dirs


def is_compiled(module: str) -> bool:
    """True when numba's cache holds compiled kernels of ``module`` (e.g. ``pmkit.project._rcpsp``)."""
    stem = module.rsplit(".", 1)[-1]
    return any(any(d.glob(f"{stem}.*.nbi")) for d in _cache_dirs(module) if d.is_dir())


def first_use_notice(module: str, what: str, seconds: str = "up to a minute", file=None) -> bool:
    """Print once per process that ``what`` is being compiled, when ``module`` is not cached yet.

    Returns True when the notice was printed.
    """
    if module in _SAID or is_compiled(module):
        return False
    _SAID.add(module)
    print(f"pmkit: compiling {what} for this machine (first use only, {seconds})...",
          file=file or sys.stderr, flush=True)
    return True
