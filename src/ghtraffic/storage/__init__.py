"""Storage: the archive schema (SQLAlchemy 2 + Alembic, SQLite or PostgreSQL), the
max-merge of overlapping windows, the run log, status and export queries."""
