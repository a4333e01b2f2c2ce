"""Response headers for browsers that Django and django-csp do not send themselves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase

# What a view's decorators (django-csp's csp_update, csp_replace, ...) leave on a response
# to change its policy; a response with none of them gets the site's policy as it is.
_POLICY_CHANGES = (
    "_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
)  # fmt: skip


def permissions_policy(features: dict[str, list[str]]) -> str:
    """The Permissions-Policy header for {feature: allowed origins}: an empty list refuses the feature to all.

    >>> permissions_policy({"camera": [], "fullscreen": ["self"]})
    'camera=(), fullscreen=(self)'
    """
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in features.items())


class PermissionsPolicyMiddleware:
    """Send settings.PERMISSIONS_POLICY on every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = permissions_policy(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the policy of a response that changes nothing built once.

    django-csp builds the header anew for every response. Most responses (the API's JSON,
    redirects, pages without a script of their own) use no nonce and no per-view change,
    so their header is the same string every time: it is kept, per settings object, and a
    response that does need its own (a nonce was used, a view changed the policy, a
    report-only policy or excluded prefixes are set) goes through django-csp unchanged.
    """

    _plain: tuple[Any, str] | None = None

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or not policy
            or policy.get("EXCLUDE_URL_PREFIXES")
            or any(getattr(response, name, None) for name in _POLICY_CHANGES)
        ):
            return super().process_response(request, response)
        if self._plain is None or self._plain[0] is not policy:
            self._plain = (policy, build_policy())
        if HEADER not in response and not getattr(response, "_csp_exempt", False):
            response[HEADER] = self._plain[1]
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
