"""WSGI entry point (gunicorn quizserver.wsgi). Refuses to start with DEBUG off on the development
SECRET_KEY (quizserver/checks.py)."""

import os

from django.core.wsgi import get_wsgi_application

from quizserver.checks import refuse_development_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizserver.settings")
refuse_development_key()
application = get_wsgi_application()
