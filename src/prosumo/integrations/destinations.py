"""Where a webhook may send: public addresses only, unless the operator allows a host.

A webhook's address is given by an admin, but the request leaves from inside the
site's network: without a rule it could reach the cloud's metadata service
(169.254.169.254), the site itself on localhost, or any internal service, and the
deliveries page would tell open ports from closed ones. So:

* an address is refused when it is private, loopback, link-local, multicast, reserved,
  unspecified or otherwise not global, in IPv4 or IPv6 (an IPv6 address that carries an
  IPv4 one, IPv4-mapped, 6to4 or NAT64, is judged by the IPv4 one). Host names are
  resolved and every address they resolve to must pass; numeric hosts in any form the
  resolver takes (``2130706433``, ``0177.0.0.1``, ``127.1``) are resolved too;
* the check runs when the webhook is saved (`destination_problem`) and again at every
  delivery, after resolving the name; the delivery then connects to the very address
  it checked (`post`), so a name that resolves elsewhere a moment later (DNS rebinding)
  cannot move it;
* redirects are never followed: a 3xx answer is a failed try like any other;
* ``PROSUMO_WEBHOOK_ALLOWED_HOSTS`` lets an operator name host names, addresses or
  networks (``hooks.internal``, ``10.1.2.3``, ``10.0.0.0/8``) that internal receivers use.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from typing import Any
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.utils.translation import gettext

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class DestinationRefused(Exception):
    """The webhook's host is, or resolves to, an address webhooks may not reach."""


def _allowed_entries() -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    names, networks = set(), []
    for entry in settings.PROSUMO_WEBHOOK_ALLOWED_HOSTS:
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            names.add(entry.lower().rstrip("."))
    return names, networks


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """Whether webhooks may reach this address without the operator allowing it."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return is_public(embedded)
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _parts(url: str) -> tuple[SplitResult, str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DestinationRefused(gettext("Give an http:// or https:// address."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise DestinationRefused(gettext("The port is not a number between 0 and 65535.")) from exc
    return parts, parts.hostname.lower().rstrip("."), port


def resolve(url: str) -> tuple[SplitResult, str, int, str]:
    """The URL's parts, host, port, and the one address to connect to, checked.

    Raises ``DestinationRefused`` when any address the host resolves to is not allowed
    (a host that resolves to a public and a private address is refused whole: the
    resolver's next answer could put the private one first), and ``OSError`` when the
    host cannot be resolved.
    """
    parts, host, port = _parts(url)
    names, networks = _allowed_entries()
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [str(info[4][0]) for info in found]
    if host not in names:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not is_public(ip) and not any(ip in network for network in networks):
                raise DestinationRefused(
                    gettext(
                        "{host} is, or resolves to, an address webhooks may not reach (private, loopback, "
                        "link-local, multicast or reserved). An operator can allow it in PROSUMO_WEBHOOK_ALLOWED_HOSTS."
                    ).format(host=host)
                )
    return parts, host, port, addresses[0]


def destination_problem(url: str) -> str | None:
    """Why a webhook may not send to ``url``, or None; for the moment it is saved.

    A host that cannot be resolved now is let through: it is resolved and checked again
    at every delivery, and a delivery to it fails until it resolves to a public address.
    """
    try:
        resolve(url)
    except DestinationRefused as exc:
        return str(exc)
    except (OSError, UnicodeError):
        return None
    return None


def _pinned(address: str) -> Any:
    """A replacement for ``socket.create_connection`` that connects to ``address``, whatever host it is asked for."""

    def connect(target: tuple[str, int], timeout: Any, source: Any = None) -> socket.socket:
        return socket.create_connection((address, target[1]), timeout, source)

    return connect


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP connection to ``address``, whatever ``host`` would resolve to now; ``host`` goes in the Host header."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._create_connection = _pinned(address)


class _PinnedTLSConnection(http.client.HTTPSConnection):
    """The HTTPS twin: TCP to ``address``, TLS checked against ``host`` (its certificate and SNI)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._create_connection = _pinned(address)


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST ``body`` to ``url`` at the address that was checked; the answer's status (a 3xx is not followed).

    Raises ``DestinationRefused`` for an address webhooks may not reach, and ``OSError``
    or ``http.client.HTTPException`` when the receiver cannot be reached or its answer
    cannot be read.
    """
    parts, host, port, address = resolve(url)
    connection_class = _PinnedTLSConnection if parts.scheme == "https" else _PinnedConnection
    connection = connection_class(host, port, address=address, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)  # the answer's body is not used; read a little so the receiver is not cut off
        return int(response.status)
    finally:
        connection.close()
