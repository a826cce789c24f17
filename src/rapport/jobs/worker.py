"""Where ``celery -A rapport.jobs.worker worker`` finds the app.

The app is made from the settings when Celery first asks for ``app``, never at import.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rapport.jobs.celery_app import make_celery_from_settings


@lru_cache(maxsize=1)
def _app() -> Any:
    return make_celery_from_settings()


def __getattr__(name: str) -> Any:
    if name in ("app", "celery"):
        return _app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
