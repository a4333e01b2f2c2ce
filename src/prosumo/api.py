"""The one JSON API. Each app adds its router; errors are JSON with a stable code."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from prosumo.core.errors import ProsumoError
from prosumo.integrations.services import token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> object | None:
        member = token_authenticate(token)
        if member is not None:
            request.user = member
        return member


class OptionalSession:
    """Lets anonymous readers through; the endpoint decides what they may see."""

    def __call__(self, request: HttpRequest) -> object:
        return request.user if request.user.is_authenticated else True


api = NinjaAPI(
    title="Prosumo API",
    version="1",
    description="Campaigns, ideas, votes, comments and stages. Authenticate with `Authorization: Bearer <token>` "
    "(create a token on your profile page) or a browser session.",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(ProsumoError)
def prosumo_error(request: HttpRequest, exc: ProsumoError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(p) for p in error.get("loc", []) if p not in ("body", "query", "path", "payload", "form")]
        fields.setdefault(".".join(loc) or "request", []).append(error.get("msg", "invalid"))
    return api.create_response(
        request, {"code": "invalid", "message": "The request is not valid.", "fields": fields}, status=422
    )


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"code": "not_authenticated", "message": "Sign in or send a valid API token.", "fields": {}}, status=401
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"code": "error", "message": str(exc), "fields": {}}, status=exc.status_code)


from prosumo.ideas.api import router as ideas_router  # noqa: E402
from prosumo.community.api import router as community_router  # noqa: E402

api.add_router("/", ideas_router)
api.add_router("/", community_router)
