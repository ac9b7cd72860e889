# Copy to instance/config.py (or let the first run create it) and adjust.
SECRET_KEY = "replace-me-with-a-long-random-string"  # noqa: S105 - a placeholder
# DATABASE_URL = "postgresql+psycopg://heartbeat@127.0.0.1:5432/heartbeat"
# REDIS_URL = "redis://127.0.0.1:6379/0"
# HEARTBEAT_HTTPS = True
