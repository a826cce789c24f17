"""Storage: engine, unit of work, ORM models, repositories and Alembic migrations."""
