"""The one error type that reaches users as a single line (CLI exit code 2)."""


class PerfcoderError(Exception):
    """A problem with the user's input or environment, worded for the user, never a bug."""
