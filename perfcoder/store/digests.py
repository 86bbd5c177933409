"""Content digests: the keys of every cache (results, generations, downloads, builds)."""

import hashlib


def digest(*parts: str | bytes) -> str:
    """A stable sha256 over several parts, length-prefixed so that part boundaries matter."""
    sha = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        sha.update(len(data).to_bytes(8, "little"))
        sha.update(data)
    return sha.hexdigest()
