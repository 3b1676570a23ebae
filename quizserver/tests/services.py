"""Server processes of our own for tests that stop and start them: Redis, PostgreSQL, Celery workers,
gunicorn and the fault site (``quizserver.tests.fault_site``).

The machine's shared PostgreSQL (5432) and Redis (6379) are never stopped or written to: Redis
listens on a Unix socket in a scratch folder (no port to collide with another run on the same
machine), PostgreSQL is a throwaway cluster on a free port. Every process logs to a file in the
scratch folder; ``tail`` puts the end of a log into an assertion's message.
"""

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_USER = "postgres"  # initdb refuses to run as root; as root the cluster runs as this user


def wait_for(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll ``predicate`` until it is true (True) or ``timeout`` seconds have passed (False)."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


def scratch_folder(prefix: str) -> Path:
    """A new folder under the system's temporary folder with a short path (a Unix socket's path may
    have at most 107 bytes), readable by the PostgreSQL user; the caller removes it."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    return folder


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tail(path: Path, chars: int = 3000) -> str:
    """The last ``chars`` characters of a log file ('' if there is none)."""
    try:
        return path.read_text(errors="replace")[-chars:]
    except FileNotFoundError:
        return ""


def stop(process: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    """Send ``sig`` to a process we started and wait for it (SIGKILL if it outlives ``timeout``)."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)


def site_env(**extra: str) -> dict:
    """The environment of a production-like process of this project (DEBUG off, plain HTTP, no
    collected static files), with ``extra`` added; no broker, cache or database URL unless given."""
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "SQLITE_PATH", "CONN_MAX_AGE"}}
    env.update({"DJANGO_SETTINGS_MODULE": "quizserver.settings", "DJANGO_DEBUG": "0", "SECURE_HTTPS": "0",
                "STATIC_MANIFEST": "0", "SECRET_KEY": "fault-tests-" + "k" * 50, "LOG_LEVEL": "INFO",
                "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


# --- Redis ------------------------------------------------------------------------------------------


def redis_binary() -> str | None:
    return shutil.which("redis-server")


class RedisServer:
    """A private redis-server on the Unix socket ``folder/redis.sock``, without persistence (what
    was queued is gone after a restart, as on a Redis that lost its memory)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.socket = folder / "redis.sock"
        self.log = folder / "redis.log"
        self.process: subprocess.Popen | None = None

    @property
    def broker_url(self) -> str:
        return f"redis+socket://{self.socket}"

    @property
    def cache_url(self) -> str:
        return f"unix://{self.socket}"

    def answers(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX) as client:
                client.settimeout(1)
                client.connect(str(self.socket))
                client.sendall(b"PING\r\n")
                return client.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                [redis_binary(), "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700",
                 "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
                stdout=log, stderr=subprocess.STDOUT,
            )
        assert wait_for(self.answers, 30), tail(self.log)

    def stop(self) -> None:
        stop(self.process)
        assert not self.answers()


# --- PostgreSQL -------------------------------------------------------------------------------------


def postgres_bindir() -> Path | None:
    """The folder of initdb and pg_ctl (PATH, else the newest /usr/lib/postgresql/*/bin)."""
    found = shutil.which("initdb") or shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(candidates[-1]).parent if candidates else None


def postgres_user_missing() -> bool:
    """True when we run as root and there is no user to run PostgreSQL as."""
    if os.geteuid() != 0:
        return False
    try:
        pwd.getpwnam(POSTGRES_USER)
    except KeyError:
        return True
    return False


class PostgresServer:
    """A throwaway PostgreSQL cluster in ``folder`` on a free port of 127.0.0.1 (trust, user
    postgres); as root its programs run as the ``postgres`` user."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.log = folder / "postgres.log"
        self.port = free_port()
        self.bindir = postgres_bindir()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, program: str, *args: str, timeout: float = 120) -> None:
        command = [str(self.bindir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", POSTGRES_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"{program}: {result.stdout[-2000:]}{result.stderr[-2000:]}{tail(self.log)}"

    def init(self) -> None:
        if os.geteuid() == 0:
            account = pwd.getpwnam(POSTGRES_USER)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options, "start")

    def stop(self) -> None:
        """A fast shutdown: open connections are cut, as in a restart or failover."""
        self.run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-m", "fast", "stop")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False


# --- Celery workers, gunicorn, the fault site -------------------------------------------------------


def start_worker(env: dict, log: Path, *, name: str, pool: str = "solo", include: tuple[str, ...] = ()):
    """A Celery worker process on the compute and default queues, concurrency 1; returns it once it
    is ready (its log says so)."""
    command = [sys.executable, "-m", "celery", "-A", "quizserver", "worker", "-Q", "compute,celery", "-c", "1",
               "--pool", pool, "-n", f"{name}@%h", "--loglevel", "INFO", "--without-heartbeat",
               "--without-mingle", "--without-gossip"]
    if include:
        command += ["-I", ",".join(include)]
    with open(log, "a") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    ready = wait_for(lambda: f"{name}@" in tail(log, 100_000) and " ready." in tail(log, 100_000)
                     or process.poll() is not None, 180, interval=0.2)
    assert ready and process.poll() is None, tail(log)
    return process


def start_gunicorn(env: dict, log: Path, port: int, workers: int = 2) -> subprocess.Popen:
    """gunicorn (sync workers) serving the project on 127.0.0.1:``port``; returns once it listens."""
    command = [sys.executable, "-m", "gunicorn", "quizserver.wsgi:application", "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--access-logfile", "-"]
    with open(log, "a") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def listening() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return process.poll() is not None

    assert wait_for(listening, 120, interval=0.2) and process.poll() is None, tail(log)
    return process
