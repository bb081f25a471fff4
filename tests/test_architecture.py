"""The architecture contract (docs/architecture.md, pyproject's [tool.importlinter]).

core and accounts import no feature app; the feature apps form layers without cycles. Checked by
import-linter over the real import graph (top-level and function-local imports alike), so a
violation fails `make test`, not only a review."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
BASE_APPS = {"core", "accounts"}


def _importlinter_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _contract(contract_id: str) -> dict:
    return next(c for c in _importlinter_config()["contracts"] if c["id"] == contract_id)


def _project_apps() -> set[str]:
    """The portal's own apps (those whose code is in this repository), by package name."""
    # A top-level folder of the repository: the virtual environment (.venv) may live here too.
    return {config.name for config in apps.get_app_configs() if Path(config.path).resolve().parent == ROOT}


def test_import_contracts_are_kept() -> None:
    """Runs lint-imports from this environment; its report is the failure message."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_every_feature_app_is_in_the_contracts() -> None:
    """A new app (opportunities, evidence, imports, ...) must be named in both contracts, or the
    contracts would silently not cover it."""
    feature_apps = _project_apps() - BASE_APPS
    assert feature_apps, "no feature apps found"
    assert _project_apps() <= set(_importlinter_config()["root_packages"])
    assert feature_apps <= set(_contract("core-knows-no-feature-app")["forbidden_modules"])
    layered = {name.strip() for layer in _contract("feature-app-layers")["layers"] for name in layer.split("|")}
    assert feature_apps <= layered


def test_the_contract_would_catch_a_bad_import(tmp_path: Path) -> None:
    """The same contract over a copy of core with one import of a feature app added is broken: the
    check above is not passing because it looks at nothing."""
    config = _importlinter_config()
    bad = tmp_path / "core_probe"
    bad.mkdir()
    (bad / "__init__.py").write_text("")
    (bad / "probe.py").write_text("from payments.models import Claim  # noqa: F401\n")
    contract_file = tmp_path / "contract.toml"
    contract_file.write_text(
        "[tool.importlinter]\n"
        f"root_packages = {[*config['root_packages'], 'core_probe']!r}\n"
        "[[tool.importlinter.contracts]]\n"
        'id = "probe"\nname = "probe"\ntype = "forbidden"\n'
        'source_modules = ["core_probe"]\n'
        f"forbidden_modules = {_contract('core-knows-no-feature-app')['forbidden_modules']!r}\n"
    )
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo", str(contract_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PYTHONPATH": f"{tmp_path}:{ROOT}", "PATH": str(Path(sys.executable).parent)},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "core_probe.probe -> payments.models" in result.stdout


def test_installed_apps_order_is_the_registration_order() -> None:
    """Reminder sweeps, navigation entries and personal data run in the order apps register them
    (AppConfig.ready(), in INSTALLED_APPS order): the base apps come before the feature apps."""
    project = [name for name in settings.INSTALLED_APPS if name in _project_apps()]
    assert project[:2] == ["core", "accounts"]
