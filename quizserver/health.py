"""``/healthz`` for the load balancer: is this web process able to serve (database, broker)?

Cheap and anonymous: no login, no session read or write, no cookie, not cached by anyone; exempt
from the HTTPS redirect (``SECURE_REDIRECT_EXEMPT``) so a plain-HTTP check from the balancer works.
"""

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)

BROKER_TIMEOUT = 1.0  # seconds to open a connection to the broker
OK, EAGER, ERROR = "ok", "eager", "error"


def database_status() -> str:
    """``ok`` when the default database answers ``SELECT 1``, else ``error`` (logged)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.warning("health check: the database does not answer", exc_info=True)
        return ERROR
    return OK


def broker_status() -> str:
    """``eager`` without a broker (tasks run in-process), ``ok`` when the broker accepts a
    connection within BROKER_TIMEOUT, else ``error`` (logged)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return EAGER
    from quizserver.celery import app  # the app's transport options, SSL and credentials apply

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT,
                                      transport_options={"socket_timeout": BROKER_TIMEOUT}) as broker:
            broker.ensure_connection(max_retries=0)  # one try: the balancer asks again soon
    except Exception:  # kombu, redis-py and socket errors alike mean "not reachable"
        log.warning("health check: the broker is not reachable", exc_info=True)
        return ERROR
    return OK


@never_cache
@require_safe
def healthz(request) -> JsonResponse:
    """200 ``{"database": "ok", "broker": "ok"|"eager"}``; 503 with ``"error"`` for what failed."""
    report = {"database": database_status(), "broker": broker_status()}
    return JsonResponse(report, status=503 if ERROR in report.values() else 200)
