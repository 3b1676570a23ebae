"""Browser tests' helpers: the system Chromium Playwright drives, and logging in through the form.

The ``page`` fixture (a phone-sized page; root conftest.py) launches ``CHROMIUM`` with ``ARGS``;
it skips where Chromium is missing, and fails instead under CI=true.
"""

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 390, "height": 844}


def log_in(page, base_url: str, username: str, password: str) -> None:
    """Log in with the login form, as a person would, and wait for the course list."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/courses/")
