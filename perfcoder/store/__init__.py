"""Storage under every layer: the SQLite key/value store, content digests and the cache directory."""

from perfcoder.store.digests import digest
from perfcoder.store.keyvalue import ResultStore
from perfcoder.store.locations import default_cache_dir

__all__ = ["ResultStore", "default_cache_dir", "digest"]
