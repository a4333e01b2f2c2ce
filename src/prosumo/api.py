"""The one JSON API. Each app adds its router; errors are JSON with a stable code.

Every error, whatever raised it, leaves as ``{"code", "message", "fields"}``:
service errors (``ProsumoError``) keep their own code and status; request
shapes that do not validate give 422 ``invalid``, and so does text that no
database can store (``prosumo.core.input``); a body that is not JSON gives
400 ``malformed_json``, and one over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` 413
``too_large``; a missing or bad credential gives 401 ``not_authenticated``;
a session request without its CSRF token gives 403 ``csrf_failed``. The
OpenAPI document declares these on every operation that can give them
(`declare_api_errors`). The list of codes is in docs/api.md.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ninja
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import get_token
from django.template import engines
from django.urls import reverse
from django.utils.translation import gettext
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import DocsBase
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.parser import Parser

from prosumo.community.auth import SESSION, SessionAuth, TokenAuth, needs, token_scope
from prosumo.community.models import Scope
from prosumo.core.errors import ProsumoError, RateLimited
from prosumo.core.input import text_problem

__all__ = ["SessionAuth", "TokenAuth", "api"]

logger = logging.getLogger(__name__)

NINJA_STATIC = Path(inspect.getfile(ninja)).parent / "static" / "ninja"
DOCS_ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.png": "image/png",
}
HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
}


class MalformedBody(ValueError):
    """The request body could not be read as JSON."""


class RequestRefused(ProsumoError):
    """The request's shape is wrong before any endpoint looks at it: 422, like a failed validation."""

    code = "invalid"
    status = 422


def _not_json(constant: str) -> Any:
    raise MalformedBody(gettext("{constant} is not a JSON value").format(constant=constant))


def unstorable_text(value: Any, name: str = "") -> dict[str, list[str]]:
    """Every string in ``value`` (keys too, at any depth) that breaks the text rule, by its dotted name."""
    found: dict[str, list[str]] = {}
    if isinstance(value, str):
        problem = text_problem(value)
        if problem is not None:
            found[name or "request"] = [problem]
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{name}.{key}" if name else str(key)
            found.update(unstorable_text(key, inner))
            found.update(unstorable_text(item, inner))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.update(unstorable_text(item, f"{name}.{index}" if name else str(index)))
    return found


def refuse_unstorable(values: Any) -> None:
    fields = unstorable_text(values)
    if fields:
        raise RequestRefused(gettext("The request is not valid."), fields=fields)


class JsonParser(Parser):
    """Ninja's parser, holding every request to the API's input rules before validation.

    A body is one JSON object (RFC 8259 JSON: no ``NaN`` or ``Infinity``), and every
    string in the body, the query and form fields keeps the text rule of
    ``prosumo.core.input``. Path parameters get the same rule from `refuse_unstorable_path`.
    """

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            data = json.loads(request.body, parse_constant=_not_json)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise MalformedBody(str(exc)) from exc
        if not isinstance(data, dict):
            raise RequestRefused(
                gettext("The request is not valid."),
                fields={"request": [gettext("The body must be a JSON object.")]},
            )
        refuse_unstorable(data)
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        values = super().parse_querydict(data, list_fields, request)
        refuse_unstorable({key: value for key, value in values.items() if isinstance(value, str | list)})
        return values


class OfflineSwagger(DocsBase):
    """Swagger UI from the files django-ninja ships, served by this API: the page needs no internet."""

    page = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{{ title }}</title>
  <link rel="stylesheet" href="{{ assets }}swagger-ui.css">
  <link rel="icon" href="{{ assets }}favicon.png" type="image/png">
</head>
<body data-csrf-token="{{ csrf_token }}" data-api-csrf="true">
  <script type="application/json" id="swagger-settings">{{ settings|safe }}</script>
  <div id="swagger-ui"></div>
  <script src="{{ assets }}swagger-ui-bundle.js"></script>
  <script src="{{ assets }}swagger-ui-init.js"></script>
</body>
</html>
"""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        swagger = {"layout": "BaseLayout", "deepLinking": True, "url": self.get_openapi_url(api, kwargs)}
        asset_url = reverse(f"{api.urls_namespace}:docs_asset", kwargs={"name": "swagger-ui.css"})
        template = engines["django"].from_string(self.page)
        html = template.render(
            {
                "title": api.title,
                "assets": asset_url.removesuffix("swagger-ui.css"),
                "settings": json.dumps(swagger).replace("</", "<\\/"),
                "csrf_token": get_token(request),
            }
        )
        return HttpResponse(html)


ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}
ERROR_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    413: "Content Too Large",
    422: "Unprocessable Content",
    429: "Too Many Requests",
}


def declare_api_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add to each operation the errors the API itself gives, whatever the endpoint does.

    Endpoints declare the errors of their own checks and services; these come from the
    API's machinery, so they are written here once: 401 for a bad token (even where
    reading needs none), 403 where a session needs its CSRF token, 404 for a path that
    names nothing, 422 for input of the wrong shape, and for a body 400 (not JSON) and
    413 (too large).
    """
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = {401}
            parameters = operation.get("parameters", [])
            if {} not in operation.get("security", [{}]):  # a credential is required: CSRF, scope, suspension
                statuses.add(403)
            if any(p.get("in") == "path" for p in parameters):
                statuses.add(404)
            if parameters or "requestBody" in operation:
                statuses.add(422)
            if "requestBody" in operation:
                statuses |= {400, 413}
            responses = operation["responses"]  # keyed by int status, as ninja writes them
            for status in statuses - {int(s) for s in responses}:
                responses[status] = {
                    "description": ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": ERROR_SCHEMA}},
                }
            operation["responses"] = dict(sorted(responses.items(), key=lambda item: int(item[0])))
    return schema


class ScopedSchema(OpenAPISchema):
    """Ninja's OpenAPI document, with the token scope of each operation (`prosumo.community.auth`).

    OpenAPI 3.1 lets a security requirement of any scheme list the roles it needs, so a
    token's is written as ``{"TokenAuth": ["write"]}``; ``x-token-scope`` repeats it for
    tools that read only one key (``session`` where no token is taken).
    """

    def operation_security(self, operation: Operation) -> list[dict[str, Any]] | None:
        scope = token_scope(operation.auth_callbacks)
        security = super().operation_security(operation)
        if scope is None:
            return security
        if scope == SESSION:
            return [{"SessionAuth": []}]
        if not security:  # a public read: no credential at all ({}), or a token with the scope, or a session
            return [{}, {"TokenAuth": [scope]}, {"SessionAuth": []}]
        return [{name: [scope] if name == "TokenAuth" else roles} for item in security for name, roles in item.items()]

    def operation_details(self, operation: Operation) -> dict[str, Any]:
        details = super().operation_details(operation)
        scope = token_scope(operation.auth_callbacks)
        if scope is not None:
            details["x-token-scope"] = scope
        return details


class ProsumoAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return declare_api_errors(ScopedSchema(self, path_prefix))


api = ProsumoAPI(
    title="Prosumo API",
    version="1",
    description="Campaigns, ideas, votes, comments and stages. Authenticate with `Authorization: Bearer <token>` "
    "(create one with `POST /api/tokens` while signed in) or a browser session with its CSRF token. "
    "Each operation names the scope a token needs (`read`, `write` or `staff`) in its security and in "
    "`x-token-scope`. "
    'Errors are JSON: `{"code", "message", "fields"}`.',
    # Every endpoint names its own scope; this default only catches one that forgot to.
    auth=needs(Scope.WRITE),
    urls_namespace="api",
    docs=OfflineSwagger(),
    parser=JsonParser(),
)


def refuse_unstorable_path(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Hold path parameters to the text rule too (``%00`` in a URL arrives as a NUL)."""

    @functools.wraps(run)
    def checked(request: HttpRequest, *args: Any, **path_params: Any) -> HttpResponse:
        fields = unstorable_text({k: v for k, v in path_params.items() if isinstance(v, str)})
        if fields:
            return error_response(request, 422, "invalid", gettext("The request is not valid."), fields)
        return run(request, *args, **path_params)

    return checked


api.add_decorator(refuse_unstorable_path, mode="view")


def error_response(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, Any] | None = None
) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "fields": fields or {}}, status=status)


@api.exception_handler(ProsumoError)
def prosumo_error(request: HttpRequest, exc: ProsumoError) -> HttpResponse:
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        # loc is (source, parameter, *path), e.g. ("body", "payload", "title") or ("query", "page").
        loc = [str(p) for p in error.get("loc", ())][1:]
        if len(loc) > 1 and loc[0] == "payload":
            loc = loc[1:]
        name = "request" if loc == ["payload"] else ".".join(loc) or "request"
        fields.setdefault(name, []).append(error.get("msg", "invalid"))
    return error_response(request, 422, "invalid", gettext("The request is not valid."), fields)


@api.exception_handler(DjangoValidationError)
def model_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"request": exc.messages}
    return error_response(request, 400, "invalid", gettext("The request is not valid."), fields)


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "not_authenticated", gettext("Sign in or send a valid API token."))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", gettext("Not found."))


@api.exception_handler(RequestDataTooBig)
def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return error_response(
        request,
        413,
        "too_large",
        gettext("The request body is larger than {limit:.1f} MB, the most the API reads.").format(limit=limit / 1e6),
    )


@api.exception_handler(SuspiciousOperation)
@api.exception_handler(MultiPartParserError)
@api.exception_handler(UnreadablePostError)
def unreadable_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A multipart body that does not parse, one with too many fields, or one the client stopped sending."""
    return error_response(
        request, 400, "bad_request", gettext("The request could not be read: {error}").format(error=exc)
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ProsumoError):
        return prosumo_error(request, exc.__cause__)
    if isinstance(exc.__cause__, MalformedBody):
        return error_response(
            request,
            400,
            "malformed_json",
            gettext("The request body is not valid JSON: {error}.").format(error=exc.__cause__),
        )
    code = HTTP_CODES.get(exc.status_code, "error")
    return error_response(request, exc.status_code, code, str(exc))


@api.exception_handler(Exception)
def unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(
        request, 500, "server_error", gettext("Something went wrong on our side; it has been logged.")
    )


class JsonMethodNotAllowed:
    """Middleware: a wrong method on an API address answers 405 in the API's JSON, keeping `Allow`.

    Ninja answers it in plain text before any exception handler runs.
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow", "")
            json_response = error_response(
                request,
                405,
                "method_not_allowed",
                gettext("This address does not take {method}; it takes {allowed}.").format(
                    method=request.method, allowed=allowed
                ),
            )
            json_response["Allow"] = allowed
            return json_response
        return response


@api.get("/docs/assets/{name}", auth=None, include_in_schema=False, url_name="docs_asset")
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    """The Swagger UI files bundled with django-ninja, so the docs page works offline."""
    if name not in DOCS_ASSETS:
        raise Http404(name)
    response = FileResponse((NINJA_STATIC / name).open("rb"), content_type=DOCS_ASSETS[name])
    response["Cache-Control"] = "public, max-age=86400"
    return response


from prosumo.budgets.api import router as budgets_router  # noqa: E402
from prosumo.commerce.api import router as commerce_router  # noqa: E402
from prosumo.community.api import router as community_router  # noqa: E402
from prosumo.ideas.api import router as ideas_router  # noqa: E402
from prosumo.insights.api import router as insights_router  # noqa: E402
from prosumo.integrations.api import router as integrations_router  # noqa: E402
from prosumo.notifications.api import router as notifications_router  # noqa: E402
from prosumo.outreach.api import router as outreach_router  # noqa: E402
from prosumo.pairwise.api import router as pairwise_router  # noqa: E402
from prosumo.privacy.api import router as privacy_router  # noqa: E402
from prosumo.rewards.api import router as rewards_router  # noqa: E402
from prosumo.surveys.api import router as surveys_router  # noqa: E402

api.add_router("/", ideas_router)
api.add_router("/", community_router)
api.add_router("/", notifications_router)
api.add_router("/", integrations_router)
api.add_router("/", privacy_router)
api.add_router("/", rewards_router)
api.add_router("/", commerce_router)
api.add_router("/", surveys_router)
api.add_router("/", outreach_router)
api.add_router("/", pairwise_router)
api.add_router("/", budgets_router)
api.add_router("/", insights_router)

# Last, so that it only catches what no endpoint matched: unknown paths get a JSON 404 too.
fallback = Router(auth=None)


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False, url_name="fallback"
)
def unknown_path(request: HttpRequest, rest: str) -> HttpResponse:
    return error_response(request, 404, "not_found", gettext("There is no API endpoint at this address."))


api.add_router("/", fallback)
