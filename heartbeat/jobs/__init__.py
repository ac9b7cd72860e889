"""Background jobs: one interface, run on a thread of the web process by default, or on an RQ
queue on Redis when ``REDIS_URL`` is set. The interface is in ``services.py``; handlers register
with ``registry.handler``."""
