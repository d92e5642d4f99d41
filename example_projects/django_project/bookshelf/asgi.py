"""ASGI entry point (uvicorn, hypercorn, daphne): ``bookshelf.asgi:application``.

``connect_django.asgi`` wraps Django's own handler so that Connect calls read their request
messages as they arrive (full-duplex bidi over HTTP/2); every other request is Django's.
"""

import os

from connect_django.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookshelf.settings")
application = get_asgi_application()
