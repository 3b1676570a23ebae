"""The deployment files agree with the code (docs/deployment.md).

The Procfile and the systemd units in deploy/systemd/ start the same five processes, and every
command names a WSGI or ASGI application, a Celery app and queues that exist; a fresh worker process
registers the beat schedule's task; `make prod-check` (``check --deploy`` with production settings)
is clean. Nothing here needs a broker or a worker (no ``celery inspect``).
"""

import ast
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
ENV_EXAMPLE = ROOT / "deploy" / "quizserver.env.example"
ROLES = {
    "web": "quizserver-web.service",
    "worker": "quizserver-worker@.service",
    "compute": "quizserver-compute.service",
    "beat": "quizserver-beat.service",
    "live": "quizserver-live.service",
}
VARIABLE = re.compile(r"\$\{(\w+)(?::-[^}]*)?\}")
WSGI_APP = re.compile(r"[\w.]+:[A-Za-z_]\w*")  # module:attribute (not a host:port)


def procfile() -> dict[str, str]:
    entries = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = command.strip()
    return entries


def unit(name: str) -> list[tuple[str, str, str]]:
    """A unit file as (section, key, value) in order (keys may repeat, unlike configparser's)."""
    section, entries = "", []
    for line in (UNITS / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, value = line.split("=", 1)
        entries.append((section, key.strip(), value.strip()))
    return entries


def unit_values(name: str, key: str) -> list[str]:
    return [value for _, k, value in unit(name) if k == key]


def argv(command: str) -> list[str]:
    """The command's words, the program as its bare name (units give the venv's full path)."""
    words = shlex.split(command)
    return [Path(words[0]).name, *words[1:]]


def option(words: list[str], *names: str) -> str | None:
    for index, word in enumerate(words):
        for name in names:
            if word == name:
                return words[index + 1]
            if word.startswith(name + "="):
                return word.split("=", 1)[1]
    return None


def known_queues() -> set[str]:
    default = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
    return {default} | {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}


def defines(module: str, name: str) -> bool:
    """``module`` can be imported and assigns ``name`` at top level (read, not imported: importing
    the WSGI module would start Django's production checks)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin, f"no module {module}"
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    return any(isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets)
               for node in tree.body)


def what_it_runs(words: list[str]) -> dict:
    """The part of a command that must exist in the code: program, app, subcommand, queues."""
    program = words[0]
    if program in ("gunicorn", "uvicorn"):
        apps = [w for w in words[1:] if WSGI_APP.fullmatch(w)]
        assert len(apps) == 1, words
        return {"program": program, "app": apps[0]}
    assert program == "celery", f"unexpected program {program!r}"
    app = option(words, "-A", "--app")
    subcommand = next(w for w in words[1:] if not w.startswith("-") and w != app)
    queues = option(words, "-Q", "--queues")
    return {"program": program, "app": app, "subcommand": subcommand,
            "queues": sorted(queues.split(",")) if queues else None}


@pytest.fixture(scope="module")
def commands() -> dict[str, dict[str, list[str]]]:
    """role -> {"Procfile": words, "unit": words}."""
    entries = procfile()
    found = {}
    for role, name in ROLES.items():
        starts = unit_values(name, "ExecStart")
        assert len(starts) == 1, f"{name}: {len(starts)} ExecStart lines"
        found[role] = {"Procfile": argv(entries[role]), "unit": argv(starts[0])}
    return found


def test_procfile_and_units_have_the_same_five_processes():
    assert set(procfile()) == set(ROLES)
    assert {p.name for p in UNITS.glob("*.service")} == set(ROLES.values())


@pytest.mark.parametrize("role", sorted(ROLES))
def test_procfile_and_unit_run_the_same_thing(commands, role):
    assert what_it_runs(commands[role]["Procfile"]) == what_it_runs(commands[role]["unit"])


@pytest.mark.parametrize("role", sorted(ROLES))
def test_commands_name_apps_and_queues_that_exist(commands, role):
    for words in commands[role].values():
        runs = what_it_runs(words)
        if runs["program"] in ("gunicorn", "uvicorn"):
            module, attribute = runs["app"].split(":")
            expected = "quizserver.wsgi" if runs["program"] == "gunicorn" else "quizserver.asgi"
            assert (module, attribute) == (expected, "application")
            assert defines(module, attribute)
            continue
        assert runs["app"] == "quizserver" and defines("quizserver.celery", "app")
        assert runs["subcommand"] in {"worker", "beat"}
        if runs["subcommand"] == "worker":
            assert runs["queues"], f"{role}: a worker names its queues"
            assert set(runs["queues"]) <= known_queues(), runs["queues"]


@pytest.mark.parametrize("source", ["Procfile", "unit"])
def test_every_queue_has_a_worker_and_there_is_one_beat(commands, source):
    served = set()
    beats = 0
    for words in (c[source] for c in commands.values()):
        runs = what_it_runs(words)
        served |= set(runs.get("queues") or [])
        beats += runs.get("subcommand") == "beat"
    assert served == known_queues()
    assert beats == 1
    assert "compute" in served  # routed solving must reach a worker (GPU hosts serve this queue)


@pytest.mark.parametrize("name", sorted(ROLES.values()))
def test_units_read_the_environment_file_and_default_what_they_use(name):
    assert unit_values(name, "EnvironmentFile") == ["/etc/quizserver/env"]
    assert unit_values(name, "User") == ["quizserver"] and unit_values(name, "WorkingDirectory")
    # systemd expands an unset ${VAR} to nothing: each variable of ExecStart needs a default here.
    defaults = {value.split("=", 1)[0] for value in unit_values(name, "Environment")}
    used = set(VARIABLE.findall(unit_values(name, "ExecStart")[0]))
    assert used <= defaults, f"{name}: {sorted(used - defaults)} have no Environment= default"


def test_compute_hosts_choose_their_device():
    assert unit_values(ROLES["compute"], "Environment") == ["QUIZSERVER_COMPUTE_DEVICE=auto"]
    assert "QUIZSERVER_COMPUTE_DEVICE=" in ENV_EXAMPLE.read_text()


def test_every_variable_of_the_example_environment_is_documented():
    documented = (ROOT / "docs" / "deployment.md").read_text()
    names = [line.split("=", 1)[0] for line in ENV_EXAMPLE.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert "SECRET_KEY" in names and "CELERY_BROKER_URL" in names
    missing = [name for name in names if f"`{name}`" not in documented]
    assert not missing, f"not in docs/deployment.md: {missing}"


def test_a_fresh_worker_process_registers_the_scheduled_and_routed_tasks():
    """What ``celery -A quizserver worker|beat`` loads: the app, then its autodiscovered tasks."""
    code = (
        "import json; from quizserver.celery import app; app.loader.import_default_modules(); "
        "print(json.dumps({'registered': sorted(app.tasks), "
        "'scheduled': sorted(e['task'] for e in app.conf.beat_schedule.values()), "
        "'routed': sorted(app.conf.task_routes)}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["scheduled"] == ["quizzes.tasks.variants_requeue"]
    assert set(report["scheduled"]) | set(report["routed"]) <= set(report["registered"])


def test_the_cron_alternative_to_beat_is_a_management_command():
    assert "variants_requeue" in get_commands()
    assert "manage.py variants_requeue" in (ROOT / "docs" / "deployment.md").read_text()


def test_systemd_accepts_the_units(tmp_path):
    """``systemd-analyze verify`` on copies whose paths point into this checkout."""
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    names = []
    for name in ROLES.values():
        text = (UNITS / name).read_text()
        text = text.replace("/srv/quizserver/.venv/bin/", f"{Path(sys.executable).parent}/")
        text = text.replace("/srv/quizserver", str(ROOT)).replace("/etc/quizserver/env", str(ENV_EXAMPLE))
        target = tmp_path / name.replace("@.", "@1.")  # a template is verified as one instance
        target.write_text(text)
        names.append(str(target))
    result = subprocess.run(["systemd-analyze", "verify", *names], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stdout + result.stderr


def test_make_prod_check_is_clean():
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    venv = Path(sys.prefix)
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    # -o: take the virtual environment as it is (this test runs in it) instead of reinstalling.
    result = subprocess.run(["make", "-s", "-o", f"{venv}/.installed", "prod-check", f"VENV={venv}"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in result.stdout, output
    assert "WARNING" not in output and "?:" not in output, output
