"""The database cache (the embedded default, and Redis's fallback) keeps every live
rate counter of a busy evening: culling them would reset their limits."""

import pytest
from django.conf import settings
from django.core.cache.backends.db import DatabaseCache

pytestmark = pytest.mark.django_db


def test_the_database_cache_keeps_a_thousand_live_counters():
    cache = DatabaseCache("django_cache", {**settings.DATABASE_CACHE, "KEY_PREFIX": "cache-size-test"})
    cache.clear()

    for n in range(1000):
        cache.set(f"counter:{n}", n, timeout=300)

    assert cache.get("counter:0") == 0
    assert len(cache.get_many([f"counter:{n}" for n in range(1000)])) == 1000


def test_redis_falls_back_to_a_database_cache_of_the_same_size(settings):
    from facilitator.cache import TolerantRedisCache

    redis_cache = TolerantRedisCache("redis://127.0.0.1:1/0", {})

    assert redis_cache._fallback()._max_entries == settings.DATABASE_CACHE["OPTIONS"]["MAX_ENTRIES"]
