"""Response headers every page gets: a strict Content-Security-Policy and friends; the request id."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core import request_id

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # NHS.UK frontend asks for Frutiger from assets.nhs.uk; offline it falls back to Arial.
        "font-src 'self' https://assets.nhs.uk",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
        return response


class RequestIdMiddleware:
    """Gives each request an id (the proxy's X-Request-ID when it sends one), for its log lines and
    the Celery tasks it queues (core.request_id), and answers with it in X-Request-ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        value = request_id.accepted(request.headers.get(request_id.HEADER))
        # Kept until the response is finished (core.request_id clears it on request_finished):
        # Django logs a 4xx/5xx response ("django.request") after the middleware has returned.
        request_id.set_current(value)
        response = self.get_response(request)
        response.headers[request_id.HEADER] = value
        return response
