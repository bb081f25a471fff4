# syntax=docker/dockerfile:1
# One image for the web server (gunicorn), the Celery worker and Celery beat: see
# docker-compose.yml and docs/running.md.

# --- NHS.UK frontend and the portal's stylesheet (compiled from its Sass): only built files reach
# the final image ---------------------------------------------------------------------------------
FROM node:22-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static ./static
RUN npm run --silent build:css

# --- The portal ---------------------------------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=ahsn_portal.settings.production \
    PRIVATE_MEDIA_ROOT=/data/private \
    MEDIA_ROOT=/data/media

# WeasyPrint (PDF reports) needs Pango and HarfBuzz; fonts for the PDFs (Liberation Sans stands in
# for Arial, the NHS fallback for Frutiger).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        fontconfig fonts-liberation fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --user-group --uid 10001 --home-dir /app --no-create-home portal

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. The project installs no package
# of its own (pyproject: packages = []): this installs its dependencies.
COPY pyproject.toml ./
RUN pip install .

COPY . .
COPY --from=assets /build/node_modules/nhsuk-frontend/dist node_modules/nhsuk-frontend/dist
COPY --from=assets /build/static/dist static/dist

# Static files are collected at build time with the production settings. Those refuse to load
# without their required variables, so harmless placeholders stand in for them here; the real
# values come from the environment at run time.
RUN mkdir -p static \
    && DJANGO_SECRET_KEY=build-time-placeholder-not-a-secret-0123456789abcdefghijklmnop \
       DJANGO_ALLOWED_HOSTS=localhost \
       DATABASE_URL=postgres://build:build@localhost:5432/build \
       REDIS_URL=redis://localhost:6379/0 \
       EMAIL_HOST=localhost \
       python manage.py collectstatic --noinput \
    && mkdir -p /data/private /data/media \
    && chown -R portal:portal /data

USER portal
EXPOSE 8000
CMD ["gunicorn", "ahsn_portal.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
