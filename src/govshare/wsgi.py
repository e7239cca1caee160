"""WSGI entry point (granian serves Django as WSGI: see DESIGN.md, measured 7–12× faster than
Django's ASGI handler here)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govshare.settings")
application = get_wsgi_application()
