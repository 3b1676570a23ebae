"""Path converters shared by every app's URLs (registered in ``quizserver.apps``).

``<id:name>``: a database id, 1 to 18 ASCII digits, so it always fits the 64-bit integer column
(the largest is 9,223,372,036,854,775,807, 19 digits). A longer number does not match the route
and answers 404 instead of overflowing inside a query (a 500 on SQLite and PostgreSQL alike).
"""


class DatabaseIdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))
