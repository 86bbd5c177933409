"""Sandboxed compile, run and judge of untrusted programs."""
