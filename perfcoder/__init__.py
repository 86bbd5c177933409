"""perfcoder: execution decides which program is correct and which is faster."""

from perfcoder.errors import PerfcoderError

__version__ = "0.1.0"
__all__ = ["PerfcoderError", "__version__"]
