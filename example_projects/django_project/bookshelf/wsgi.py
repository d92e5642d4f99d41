"""WSGI entry point (gunicorn, ``manage.py runserver``): ``bookshelf.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookshelf.settings")
application = get_wsgi_application()
