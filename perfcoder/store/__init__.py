"""Storage under every layer: the SQLite key/value store, content digests and the cache directory."""

from perfcoder.store.digests import digest
from perfcoder.store.keyvalue import JsonStore
from perfcoder.store.locations import default_cache_dir

__all__ = ["JsonStore", "default_cache_dir", "digest"]
