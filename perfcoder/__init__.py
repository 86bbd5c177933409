"""perfcoder: execution decides which program is correct and which is faster."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from perfcoder.errors import PerfcoderError

if TYPE_CHECKING:
    from perfcoder.environment import Environment

__version__ = "0.1.0"
__all__ = ["PerfcoderError", "__version__", "make"]


def make(*args: Any, **kwargs: Any) -> Environment:
    """`perfcoder.make(language="cpp", cost="cycles", flags="-O3")`: see perfcoder.environment.make."""
    from perfcoder.environment import make as make_environment

    return make_environment(*args, **kwargs)
