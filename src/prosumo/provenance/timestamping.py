"""RFC 3161 time-stamps for signed tree heads: asking an authority, and checking its reply offline.

An authority's time-stamp vouches, independently of the site's clock, that the bytes of a
signed tree head existed at the time it states. The site asks for one after each head it
signs, when an authority is configured (``PROSUMO_TSA_URL``), and keeps the reply with the
head; certificates carry it and `prosumo verify` checks it.

Like `proof`, this module needs no Django and no database: `prosumo verify` imports it.
The parsing and the signature check are rfc3161-client's (the library sigstore uses).
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

SHA256 = x509.ObjectIdentifier("2.16.840.1.101.3.4.2.1")
CONTENT_TYPE_QUERY = "application/timestamp-query"
CONTENT_TYPE_REPLY = "application/timestamp-reply"


class TimestampError(Exception):
    """The authority could not be reached, or its reply does not hold; the message says which."""


@dataclass
class TimestampCheck:
    """What checking a time-stamp reply found: problems, and what holds."""

    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    time: datetime | None = None


def load_certificates(pem: bytes) -> list[x509.Certificate]:
    """The certificates in a PEM file (an authority's, its CA's, or both); ValueError when there are none."""
    return x509.load_pem_x509_certificates(pem)


def _authority_name(response: TimeStampResponse) -> str:
    try:
        name = response.tst_info.name
    except (ValueError, AttributeError):
        name = None
    value = getattr(name, "value", None)
    if isinstance(value, x509.Name):
        return value.rfc4514_string()
    if isinstance(value, str):
        return value
    return "the authority"


def check_reply(
    reply: bytes, message: bytes, *, trusted: list[x509.Certificate] | None = None, nonce: int | None = None
) -> TimestampCheck:
    """Check an RFC 3161 reply (TimeStampResp, DER) for ``message``: status, message imprint, signature.

    The message imprint must be the SHA-256 of ``message``. The signature is checked
    against ``trusted`` (the authority's certificate or its CA's) when given, and not at
    all otherwise (the fact says so).
    """
    check = TimestampCheck()
    try:
        response = decode_timestamp_response(reply)
        status = PKIStatus(response.status)
        imprint = response.tst_info.message_imprint
        check.time = response.tst_info.gen_time.astimezone(UTC)
    except (ValueError, TypeError) as exc:
        check.problems.append(f"the time-stamp token is not a readable RFC 3161 reply ({exc})")
        return check
    if status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        check.problems.append(f"the time-stamping authority refused the request (status {status.name})")
        return check
    if imprint.hash_algorithm != SHA256 or imprint.message != hashlib.sha256(message).digest():
        check.problems.append(
            "the time-stamp token is for other bytes: its message imprint is not the SHA-256 of the signed tree head"
        )
    if nonce is not None and response.tst_info.nonce != nonce:
        check.problems.append("the time-stamp reply does not answer this request (its nonce differs)")
    authority = _authority_name(response)
    when = check.time.isoformat(timespec="seconds")
    if check.problems:
        return check
    if not trusted:
        check.facts.append(
            f"time-stamped by {authority} at {when}; the authority's signature was not checked"
            " (give its certificate with --tsa-certificate)"
        )
        return check
    builder = VerifierBuilder()
    for certificate in trusted:
        builder = builder.add_root_certificate(certificate)
    try:
        builder.build().verify(response, imprint.message)
    except (VerificationError, ValueError) as exc:
        check.problems.append(f"the time-stamp token's signature does not hold: {_why(str(exc))}")
        return check
    check.facts.append(f"time-stamped by {authority} at {when}, signed under the authority certificate you gave")
    return check


def _why(error: str) -> str:
    """The signature check's error, in plain words where it is a common one."""
    if "signature failure" in error:
        return "the token was changed after the authority signed it"
    if "local issuer" in error or "certificate verify error" in error:
        return "it was not issued under the authority certificate you gave"
    return error


def describe(reply: bytes) -> tuple[str, datetime] | None:
    """The authority's name and the time it states, read from a reply; None when it cannot be read."""
    try:
        response = decode_timestamp_response(reply)
        return _authority_name(response), response.tst_info.gen_time.astimezone(UTC)
    except (ValueError, TypeError):
        return None


def timestamp_request(message: bytes, *, url: str, trusted: list[x509.Certificate] | None, timeout: float) -> bytes:
    """Ask the authority at ``url`` to time-stamp ``message`` (SHA-256); its checked reply, DER.

    Raises ``TimestampError`` when the authority cannot be reached or its reply does not
    hold (wrong bytes, wrong nonce, a signature that fails).
    """
    builder = TimestampRequestBuilder().data(message).hash_algorithm(HashAlgorithm.SHA256)
    query = builder.cert_request(cert_request=True).nonce(nonce=True).build()
    http = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
        url, data=query.as_bytes(), headers={"Content-Type": CONTENT_TYPE_QUERY}, method="POST"
    )
    try:
        with urllib.request.urlopen(http, timeout=timeout) as answer:  # noqa: S310
            reply: bytes = answer.read()
    except urllib.error.HTTPError as exc:
        raise TimestampError(f"the time-stamping authority at {url} answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise TimestampError(f"the time-stamping authority at {url} could not be reached ({exc})") from exc
    check = check_reply(reply, message, trusted=trusted, nonce=query.nonce)
    if check.problems:
        raise TimestampError("; ".join(check.problems))
    return reply
