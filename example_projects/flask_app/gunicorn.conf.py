"""gunicorn settings for the notes app (``gunicorn -c gunicorn.conf.py server:app``).

Under WSGI every call in progress holds a worker thread for its whole length (a stream
until it ends), so size ``workers * threads`` for the calls you keep open at once. The board
lives in memory, so this example runs one process; an app with a database can run more.
"""

workers = 1
"""Processes (the in-memory board is per process)."""
worker_class = "gthread"
"""Threads, so that a slow call blocks one thread and not the whole process."""
threads = 16
"""Calls (streams included) that can be in progress at once."""
timeout = 30
"""Seconds of silence after which a worker is restarted."""
graceful_timeout = 5
"""Seconds a worker gets to finish its calls on shutdown."""
keepalive = 5
"""Seconds an idle keep-alive connection stays open (clients pool connections)."""
loglevel = "warning"
