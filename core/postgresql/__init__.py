"""Django's PostgreSQL backend with a connection pool that recovers at once from a database restart."""
