"""ASGI entry point. Refuses to start with DEBUG off on the development SECRET_KEY
(quizserver/checks.py)."""

import os

from django.core.asgi import get_asgi_application

from quizserver.checks import refuse_development_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizserver.settings")
refuse_development_key()
application = get_asgi_application()
