"""Background jobs: sending replies, retrying them, SLA checks.

The same idempotent tasks run in a thread of the Rapport process by default
(:class:`~rapport.jobs.dispatch.InProcessDispatcher`) or on Celery workers sharing a Redis
or RabbitMQ broker (:mod:`rapport.jobs.celery_app`). Jobs are handed over only after the
transaction that made them has committed.
"""
