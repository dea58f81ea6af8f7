"""A Redis cache that keeps the site working while Redis is down.

Django's Redis cache raises on a connection error, which would turn a sign-in (its
rate limits live in the cache) or a check-in into a 500 during an outage. This one
falls back to the database cache (the ``django_cache`` table from ``createcachetable``)
for each call Redis cannot answer, so rate limits keep counting; if that fails too,
a read misses and a write is dropped.
"""

import logging

from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

FALLBACK_TABLE = "django_cache"


def _when_both_fail(name: str, args: tuple, kwargs: dict):
    if name == "get":
        return kwargs.get("default", args[1] if len(args) > 1 else None)
    if name == "get_many":
        return {}
    if name == "add":
        # As if stored: callers that spin until add() succeeds (allauth's lock) go on.
        return True
    if name == "incr":
        raise ValueError("cache unavailable")
    return None if name not in {"has_key", "touch", "delete"} else False


class TolerantRedisCache(RedisCache):
    _fallback_cache: DatabaseCache | None = None

    def _fallback(self) -> DatabaseCache:
        if self._fallback_cache is None:
            self._fallback_cache = DatabaseCache(
                FALLBACK_TABLE,
                {
                    "KEY_PREFIX": self.key_prefix,
                    "VERSION": self.version,
                    "TIMEOUT": self.default_timeout,
                    "OPTIONS": settings.DATABASE_CACHE["OPTIONS"],
                },
            )
        return self._fallback_cache

    def _call(self, name: str, *args, **kwargs):
        try:
            return getattr(super(), name)(*args, **kwargs)
        except RedisError:
            logger.warning("Redis cache unavailable; using the database cache for now")
        try:
            return getattr(self._fallback(), name)(*args, **kwargs)
        except Exception:
            logger.warning("Database cache unavailable too; carrying on without a cache")
            return _when_both_fail(name, args, kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")
