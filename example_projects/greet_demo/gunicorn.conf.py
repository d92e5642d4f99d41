"""gunicorn settings for serving the WSGI twin (``gunicorn -c gunicorn.conf.py wsgi_server:app``).

Under WSGI every call in progress holds a worker thread for its whole length: a unary call
while its body arrives and its handler runs, a stream until it ends. So size the pool for the
calls you keep open at once, not for requests per second:

    workers * threads >= open streams + calls from slow clients + headroom

and let ``timeout`` end a worker that stops answering (a thread blocked in a read cannot be
interrupted; see "Known limits" in the README). For many long-lived streams, serve the async
service with an ASGI server instead: an idle stream there costs kilobytes, not a thread.
"""

workers = 2
"""Processes: one per CPU is a good start."""
worker_class = "gthread"
"""Threads, so that a slow call blocks one thread and not the whole process."""
threads = 16
"""Threads per worker: calls (streams included) that can be in progress at once, per worker."""
timeout = 30
"""Seconds of silence after which a worker is restarted."""
graceful_timeout = 10
"""Seconds a worker gets to finish its calls on shutdown or restart."""
keepalive = 5
"""Seconds an idle keep-alive connection stays open (clients pool connections)."""
loglevel = "warning"
