"""The portal's one stylesheet: compiled from only the NHS.UK components it uses, and served the
way production serves it (the manifest storage and WhiteNoise): hashed name, compressed, cached
for a long time."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

BUILT = Path(settings.BASE_DIR) / "static" / "dist" / "portal.css"
FULL_LIBRARY = Path(settings.BASE_DIR) / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk" / "nhsuk-frontend.min.css"


def test_the_stylesheet_is_built_and_leaves_out_components_the_portal_never_uses():
    assert BUILT.exists(), "static/dist/portal.css is missing: run `make install` (npm run build:css)"
    css = BUILT.read_text()
    # Components the templates use, and the portal's own rules, are in it ...
    for selector in (".nhsuk-header", ".nhsuk-summary-list", ".nhsuk-table", ".nhsuk-button", ".portal-code"):
        assert selector in css
    # ... and ones no template uses are not.
    for selector in (".nhsuk-hero", ".nhsuk-tabs", ".nhsuk-task-list", ".nhsuk-do-dont-list"):
        assert selector not in css
    assert len(css) < FULL_LIBRARY.stat().st_size
    # Minified: no indentation, no comments.
    assert "\n  " not in css and "/*" not in css


@pytest.fixture
def collected(settings, tmp_path):
    """Static files collected into a fresh folder with the production storage; WhiteNoise serves
    that folder only (no finders, no autorefresh), as under gunicorn in production."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    # Leave out what no page links (the admin, the library's sources) to keep the test quick.
    skip = ["admin", "components", "core", "lib", "macros", "common", "errors", "*.scss", "*.mts", "*.njk"]
    skip += ["*.css.map", "nhsuk-frontend*.css", "nhsuk-frontend-*", "nhsuk-frontend.js*", "nhsuk.*", "index.*"]
    skip += ["i18n.*", "component.*", "configurable-component.*"]
    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=skip)
    return settings.STATIC_ROOT


@pytest.mark.django_db
def test_pages_link_the_hashed_stylesheet_served_compressed_with_a_long_cache_life(collected):
    client = Client()  # a new client builds the middleware with the settings above
    page = client.get("/accounts/login/").content.decode()
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert len(links) == 1, "one render-blocking stylesheet"
    assert re.fullmatch(r"/static/dist/portal\.[0-9a-f]{12}\.css", links[0])

    response = client.get(links[0], headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]
    max_age = int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))  # type: ignore[union-attr]
    assert max_age >= 365 * 24 * 60 * 60
    body = gzip.decompress(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert body == (collected / links[0].removeprefix("/static/")).read_bytes()
    # The icons it points at are hashed too, so they are cached as long.
    assert re.search(rb"url\(\"?\.\./nhsuk/assets/images/nhsuk-icon-[a-z-]+\.[0-9a-f]{12}\.svg", body)
