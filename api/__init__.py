"""The REST API, versioned under /api/v1/ (Django REST framework, OpenAPI via drf-spectacular).

It only reads: courses, lectures, quizzes and questions (``quizzes``), submissions, progress and
statistics (``progress``). The page where staff make their API token is an account page of
``courses`` (``courses.api_tokens``), routed here at /api/token/.
"""
