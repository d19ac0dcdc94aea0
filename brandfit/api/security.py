"""Optional API keys: a user key for ``/v1/*`` and an admin key for ``/v1/admin/*``.

Keys come from settings (``BRANDFIT_API_KEY``, ``BRANDFIT_ADMIN_KEY``), are sent as
``Authorization: Bearer <key>`` or ``X-API-Key: <key>``, are compared with
:func:`hmac.compare_digest` and never logged.

* No key at all: every route is open (local use; ``brandfit serve`` warns when it binds
  beyond loopback like this).
* A user key but no admin key: ``/v1/*`` needs the user key and admin routes are closed
  (403): the user key never reloads models.
* An admin key: admin routes need it; the user key gets 403 there.
"""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request
from pydantic import SecretStr

from brandfit.settings import Settings

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def presented_key(request: Request) -> str | None:
    """Return the key a client sent, if any."""
    auth = request.headers.get("authorization")
    if auth and auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return request.headers.get("x-api-key")


def _matches(given: str | None, expected: SecretStr | None) -> bool:
    if given is None or expected is None:
        return False
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.get_secret_value().encode("utf-8")
    )


def _reject(request: Request, status: int, detail: str) -> HTTPException:
    request.app.state.metrics.rejected.labels("auth").inc()
    return HTTPException(status, detail, headers=_CHALLENGE if status == 401 else None)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def require_user(request: Request) -> None:
    """Allow the request if no user key is configured or the user (or admin) key was sent."""
    settings = _settings(request)
    if settings.api_key is None:
        return
    given = presented_key(request)
    if _matches(given, settings.api_key) or _matches(given, settings.admin_key):
        return
    raise _reject(request, 401, "missing or wrong API key")


def require_admin(request: Request) -> None:
    """Allow the request with the admin key; with no key configured at all, allow it.

    With a user key but no admin key, admin routes are refused for everyone (403): a
    key handed to API users must not reload models.
    """
    settings = _settings(request)
    if settings.admin_key is None:
        if settings.api_key is None:
            return
        raise _reject(
            request,
            403,
            "admin routes are disabled: a user key is set but no admin key "
            "(set BRANDFIT_ADMIN_KEY to use them)",
        )
    given = presented_key(request)
    if _matches(given, settings.admin_key):
        return
    if _matches(given, settings.api_key):
        raise _reject(request, 403, "this key may not use admin routes")
    raise _reject(request, 401, "missing or wrong admin key")
