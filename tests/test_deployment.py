"""The deployment files agree with the settings the code reads.

No Docker engine runs on the development machines, so docker-compose.yml and the Dockerfile are
checked as text here: the five services, one image for web/worker/beat, their commands, and that
every variable production settings require is given to each of them. No database is used.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import environ
import pytest
import yaml
from kombu import Connection
from redis.connection import parse_url

from ahsn_portal.settings.base import private_storage_settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
PRODUCTION_SETTINGS = ROOT / "ahsn_portal" / "settings" / "production.py"
APP_SERVICES = ("web", "worker", "beat")

# env("X"), env.list("X"), env.db_url("X"), env.int("X", cast=...) …: the call's own arguments.
ENV_CALL = re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']([^)]*)\)""")


def required_variables(settings_text: str) -> set[str]:
    """Names read with env(...) without a default: production refuses to start without them."""
    return {name for name, rest in ENV_CALL.findall(settings_text) if "default" not in rest}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


@pytest.fixture(scope="module")
def required() -> set[str]:
    return required_variables(PRODUCTION_SETTINGS.read_text())


def command_text(service: dict[str, Any]) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else str(command)


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def test_required_variable_parser_reads_calls_without_default() -> None:
    text = """
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db_url("DATABASE_URL")}
PORT = env.int("EMAIL_PORT", default=587)
FLAG = env.bool( 'SOME_FLAG', default=True)
HOSTS = env.list("TRUSTED", default=[])
"""
    assert required_variables(text) == {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"}


def test_production_settings_require_the_core_variables(required: set[str]) -> None:
    # If this fails the parser, not the settings, has probably gone wrong.
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= required


def test_the_six_services_exist(services: dict[str, Any]) -> None:
    assert set(services) == {"web", "worker", "beat", "postgres", "redis", "storage"}


def test_web_worker_and_beat_share_one_image(services: dict[str, Any]) -> None:
    images = {services[name].get("image") for name in APP_SERVICES}
    builds = {repr(services[name].get("build")) for name in APP_SERVICES}
    assert len(images) == 1 and None not in images
    assert len(builds) == 1
    build = services["web"]["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    assert (ROOT / context / dockerfile).resolve() == DOCKERFILE


def test_web_migrates_then_runs_gunicorn(services: dict[str, Any]) -> None:
    command = command_text(services["web"])
    assert "gunicorn ahsn_portal.wsgi" in command
    assert "manage.py migrate" in command
    assert command.index("manage.py migrate") < command.index("gunicorn")


def test_worker_runs_the_celery_worker(services: dict[str, Any]) -> None:
    assert re.search(r"\bcelery -A ahsn_portal worker\b", command_text(services["worker"]))


def test_beat_runs_celery_beat_with_the_database_scheduler(services: dict[str, Any]) -> None:
    command = command_text(services["beat"])
    assert re.search(r"\bcelery -A ahsn_portal beat\b", command)
    assert "django_celery_beat.schedulers:DatabaseScheduler" in command


@pytest.mark.parametrize("name", APP_SERVICES)
def test_required_settings_reach_every_app_service(services: dict[str, Any], required: set[str], name: str) -> None:
    env = environment(services[name])
    missing = sorted(required - set(env))
    assert not missing, f"{name} lacks {missing}, which production.py requires"
    empty = sorted(var for var in required if not env[var].strip())
    assert not empty, f"{name} gives {empty} an empty value"
    assert env.get("DJANGO_SETTINGS_MODULE", "ahsn_portal.settings.production") == ("ahsn_portal.settings.production")


def test_app_services_use_the_compose_database_and_redis(services: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        env = environment(services[name])
        assert "@postgres:5432/" in env["DATABASE_URL"], name
        assert env["REDIS_URL"].startswith("redis://redis:6379/"), name


def compose_value(text: str) -> str:
    """A compose value with its ${VAR:-default} / ${VAR:?message} substitutions made as an empty
    .env would (defaults taken; required ones given a stand-in), innermost first."""
    pattern = re.compile(r"\$\{([A-Z_]+)(?::([-?])([^${}]*))?\}")
    while (found := pattern.search(text)) is not None:
        name, kind, rest = found.groups()
        value = rest if kind == "-" else f"{name.lower().replace('_', '')}x"
        text = text[: found.start()] + value + text[found.end() :]
    return text


def test_private_files_go_to_the_compose_object_store(services: dict[str, Any]) -> None:
    """Every app service keeps private files in the `storage` service's bucket, none on a volume of its
    own (a second web machine must see the receipt the first one stored)."""
    urls = {compose_value(environment(services[name])["STORAGE_URL"]) for name in APP_SERVICES}
    assert len(urls) == 1, urls
    options = private_storage_settings(urls.pop(), "")
    assert options["BACKEND"] == "core.storage.ObjectStorage"
    assert options["OPTIONS"]["endpoint_url"] == "http://storage:8333"
    assert options["OPTIONS"]["access_key"] and options["OPTIONS"]["secret_key"]
    assert options["OPTIONS"]["default_acl"] is None  # the bucket's private default, never public-read
    for name in APP_SERVICES:
        assert "PRIVATE_MEDIA_ROOT" not in environment(services[name]), name
    # The bucket exists before the web answers, and worker and beat start after the web (above).
    assert services["web"]["depends_on"]["storage"]["condition"] == "service_healthy"
    command = command_text(services["web"])
    assert command.index("manage.py storage_bucket --create") < command.index("gunicorn")


def test_the_object_store_needs_a_signed_request(services: dict[str, Any]) -> None:
    storage = services["storage"]
    command = command_text({"command": storage.get("entrypoint", "")}) + command_text(storage)
    assert "weed server" in command and "-s3" in command
    assert "-s3.config=" in command, "without identities SeaweedFS answers anyone"
    assert "STORAGE_SECRET_KEY" in environment(storage)


def test_backing_services_have_healthchecks_and_data_volumes(services: dict[str, Any]) -> None:
    assert str(services["postgres"]["image"]).startswith("postgres:16")
    assert str(services["redis"]["image"]).startswith("redis:7")
    for name in ("postgres", "redis", "storage"):
        assert services[name].get("healthcheck", {}).get("test"), name
        assert services[name].get("volumes"), name
    for name in APP_SERVICES:
        depends = services[name].get("depends_on", {})
        assert depends, f"{name} starts before what it needs"
        assert all(dep.get("condition") == "service_healthy" for dep in depends.values()), name


def test_dockerfile_builds_a_production_image(required: set[str]) -> None:
    text = DOCKERFILE.read_text()
    from_lines = re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE)
    assert from_lines[-1].startswith("python:3.11-slim")
    assert "DJANGO_SETTINGS_MODULE=ahsn_portal.settings.production" in text
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    cmd = re.findall(r"^CMD\s+(.+)$", text, re.MULTILINE)[-1]
    assert "gunicorn" in cmd and "ahsn_portal.wsgi" in cmd
    assert "nhsuk-frontend/dist" in text
    for package in ("libpango-1.0-0", "libharfbuzz-subset0", "fonts-"):
        assert package in text


def test_dockerfile_collectstatic_has_every_required_variable(required: set[str]) -> None:
    # Production settings raise at import without these, so the build step must provide them.
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    run = next(line for line in text.splitlines() if "collectstatic" in line)
    words = shlex.split(run)
    given = {w.split("=", 1)[0] for w in words if re.match(r"^[A-Z][A-Z0-9_]*=", w)}
    missing = sorted(required - given)
    assert not missing, f"collectstatic in the Dockerfile lacks {missing}"
    secret = next(w.split("=", 1)[1] for w in words if w.startswith("DJANGO_SECRET_KEY="))
    assert len(secret) >= 50


def test_ci_script_is_executable_and_strict() -> None:
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK)
    assert "set -euo pipefail" in script.read_text()


# --- scripts/devenv.py: the URLs it exports for the embedded services -------------------------


@pytest.fixture(scope="module")
def devenv() -> ModuleType:
    spec = importlib.util.spec_from_file_location("devenv", ROOT / "scripts" / "devenv.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_embedded_postgres_url_is_a_unix_socket_for_django_environ(devenv: ModuleType) -> None:
    url = devenv.postgres_url("/work/my project/.data/pgdata", "ahsn_portal")
    config = environ.Env.db_url_config(url)
    assert config["HOST"] == "/work/my project/.data/pgdata"
    assert config["NAME"] == "ahsn_portal"
    assert config["USER"] == "postgres"
    assert config["ENGINE"] == "django.db.backends.postgresql"


def test_embedded_redis_url_suits_celery_and_redis_py(devenv: ModuleType) -> None:
    url = devenv.redis_socket_url("/tmp/x/.data/redis/redis.socket")
    assert Connection(url).transport.driver_type == "redis"
    assert parse_url(url.replace("redis+socket://", "unix://"))["path"] == ("/tmp/x/.data/redis/redis.socket")


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "ahsn_portal.settings.production",
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-like-secret-key-for-the-deploy-check-only-" + "z" * 10,
    "DJANGO_ALLOWED_HOSTS": "portal.example.org",
    "DATABASE_URL": "postgres://portal:portal@db:5432/portal",
    "REDIS_URL": "redis://redis:6379/0",
    "EMAIL_HOST": "smtp.example.org",
}


def _manage(*args: str, env: dict[str, str]) -> Any:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_with_production_settings_reports_nothing() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_a_secret(missing: str) -> None:
    if (ROOT / ".env").exists():
        pytest.skip("a local .env file would supply the missing variable")
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_refuses_a_short_secret_key() -> None:
    result = _manage("check", env={**PRODUCTION_ENV, "DJANGO_SECRET_KEY": "too-short"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be at least 50 characters long" in result.stderr
