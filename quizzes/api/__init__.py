"""The REST API, versioned under /api/v1/ (Django REST framework, OpenAPI via drf-spectacular)."""
