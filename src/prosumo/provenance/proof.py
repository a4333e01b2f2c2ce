"""What the proof log hashes and signs, and the offline check of an authorship certificate.

Like `merkle`, this module needs no Django and no database: `prosumo verify` imports it
alone, so a certificate can be checked years later on any machine with Prosumo (or,
following docs/ip.md, with a few lines in another language).

The canonical form of anything hashed here is JSON with the keys sorted, no spaces
(separators "," and ":"), non-ASCII characters written as themselves, every string in
Unicode NFC, encoded as UTF-8. Numbers are integers; times are ISO 8601 in UTC with
microseconds (``2026-12-05T06:00:00.000000+00:00``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from prosumo.provenance import merkle, timestamping

CERTIFICATE_FORMAT = "prosumo-authorship-certificate/1"
LEAF_VERSION = 1
TREE_HEAD_FORMAT = "prosumo-tree-head/1"


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Mapping):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nfc(v) for v in value]
    return value


def canonical(value: Any) -> bytes:
    """The canonical bytes of a JSON value: sorted keys, no spaces, NFC strings, UTF-8."""
    return json.dumps(_nfc(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical form of a piece of content, in hex."""
    return hashlib.sha256(canonical(content)).hexdigest()


def leaf_data(entry: Mapping[str, Any]) -> bytes:
    """The bytes a log entry contributes as its Merkle leaf: the canonical form of its fields."""
    return canonical({**entry, "v": LEAF_VERSION})


def entry_leaf_hash(entry: Mapping[str, Any]) -> str:
    """The RFC 6962 leaf hash of a log entry, in hex."""
    return merkle.leaf_hash(leaf_data(entry)).hex()


def tree_head_message(*, origin: str, size: int, root_hash: str, timestamp: str) -> bytes:
    """The bytes the instance's key signs for a tree head."""
    return canonical(
        {"format": TREE_HEAD_FORMAT, "origin": origin, "size": size, "root_hash": root_hash, "timestamp": timestamp}
    )


def certificate_message(document: Mapping[str, Any]) -> bytes:
    """The bytes the instance's key signs for a whole certificate: everything in it but the signature."""
    return canonical({k: v for k, v in document.items() if k != "signature"})


def key_id(public_key: bytes) -> str:
    """A short name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    """Strict base64: only the one spelling ``b64`` writes (no other padding, no stray low bits)."""
    raw = base64.b64decode(text.encode(), validate=True)
    if b64(raw) != text:
        raise ValueError("not canonical base64")
    return raw


@dataclass(frozen=True)
class Check:
    """The result of checking a certificate: what holds, and what fails, in plain words."""

    problems: list[str]
    facts: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


class Unreadable(ValueError):
    """The input is not an authorship certificate at all (rather than an altered one)."""


def entries(n: int) -> str:
    """ "1 entry", "2 entries": the size of a log, in the checks' words."""
    return f"{n} entry" if n == 1 else f"{n} entries"


def _hex32(value: Any) -> bytes:
    if not isinstance(value, str) or len(value) != 2 * merkle.HASH_SIZE:
        raise ValueError("not a 32-byte hex hash")
    return bytes.fromhex(value)


def verify_certificate(
    document: Any, *, public_key: str | None = None, tsa_certificates: list[Any] | None = None
) -> Check:
    """Check a certificate offline: the tree head's signature and time-stamp, then each record's content, leaf and proof.

    ``public_key`` (base64), when given, must be the key that signed; otherwise the
    certificate's own key is used and its id reported, to compare with the site's.
    A tree head that carries an RFC 3161 time-stamp token has it checked: its message
    imprint must be the SHA-256 of the signed head's bytes, and its signature must hold
    under ``tsa_certificates`` (the authority's CA certificates) when they are given.
    Raises ``Unreadable`` when ``document`` is not a certificate of a known format.
    """
    if not isinstance(document, dict) or document.get("format") != CERTIFICATE_FORMAT:
        raise Unreadable(f"not a Prosumo authorship certificate (expected format {CERTIFICATE_FORMAT!r})")
    try:
        head = document["tree_head"]
        records = document["records"]
        size, root_text, timestamp, origin = head["size"], head["root_hash"], head["timestamp"], head["origin"]
        key_text, signature_text = document["public_key"], head["signature"]
        if not isinstance(records, list) or not isinstance(size, int):
            raise TypeError("records must be a list and the size a number")
    except (KeyError, TypeError) as exc:
        raise Unreadable(f"the certificate lacks a part or has one of the wrong kind: {exc}") from exc
    problems: list[str] = []
    facts: list[str] = []
    try:
        key_bytes = unb64(key_text)
        key = Ed25519PublicKey.from_public_bytes(key_bytes)
    except (ValueError, TypeError):
        problems.append("the instance's public key in the certificate is not an Ed25519 key")
        return Check(problems, facts)
    if public_key is not None and public_key.strip() != key_text:
        problems.append(f"the certificate was signed by key {key_id(key_bytes)}, not by the key you gave")
    message = tree_head_message(origin=origin, size=size, root_hash=root_text, timestamp=timestamp)
    try:
        key.verify(unb64(signature_text), message)
        facts.append(f"tree head of {entries(size)} signed at {timestamp} by {origin}, key {key_id(key_bytes)}")
    except (InvalidSignature, ValueError, TypeError):
        problems.append("bad signature: the tree head (size, root, time or origin) is not what the key signed")
    token = head.get("timestamp_token") if isinstance(head, dict) else None
    if token is not None:
        _check_timestamp(token, message, tsa_certificates, problems, facts)
    elif tsa_certificates:
        problems.append("the tree head carries no time-stamp token, but an authority certificate was given")
    try:
        key.verify(unb64(document.get("signature") or ""), certificate_message(document))
    except (InvalidSignature, ValueError, TypeError):
        problems.append(
            "bad signature: the certificate was changed after it was issued (its names, terms, title or records)"
        )
    try:
        root = _hex32(root_text)
    except ValueError:
        problems.append("the tree head's root hash is not a SHA-256 hash")
        return Check(problems, facts)
    if not records:
        problems.append("the certificate holds no records")
    idea_id = (document.get("idea") or {}).get("id")
    for number, record in enumerate(records, start=1):
        problems.extend(_check_record(number, record, idea_id=idea_id, size=size, root=root, facts=facts))
    return Check(problems, facts)


def _check_timestamp(
    token: Any, message: bytes, trusted: list[Any] | None, problems: list[str], facts: list[str]
) -> None:
    try:
        reply = unb64(token)
    except (ValueError, TypeError, AttributeError):
        problems.append("the tree head's time-stamp token is not base64")
        return
    check = timestamping.check_reply(reply, message, trusted=trusted)
    problems.extend(check.problems)
    facts.extend(check.facts)


def _check_record(number: int, record: Any, *, idea_id: Any, size: int, root: bytes, facts: list[str]) -> list[str]:
    try:
        content, entry, proof_text = record["content"], record["entry"], record["inclusion_proof"]
        name = f"record {number} ({entry['kind']} {entry['object']}, version {entry['version']})"
        index = entry["index"]
    except (KeyError, TypeError):
        return [f"record {number} lacks its content, entry or inclusion proof"]
    problems = []
    if content is None:
        facts.append(f"{name}: the content is not included (removed); only its logged hash is certified")
    elif content_hash(content) != entry.get("content"):
        problems.append(f"{name}: content hash mismatch: the content is not what was logged")
    if record.get("content_hash") not in (None, entry.get("content")):
        problems.append(f"{name}: the content hash shown differs from the logged one")
    if idea_id is not None and entry.get("idea") != idea_id:
        problems.append(f"{name}: the entry is about idea {entry.get('idea')}, not idea {idea_id}")
    leaf = bytes.fromhex(entry_leaf_hash(entry))
    if record.get("leaf_hash") not in (None, leaf.hex()):
        problems.append(f"{name}: the leaf hash shown is not the hash of the entry")
    try:
        proof = [_hex32(p) for p in proof_text]
    except (ValueError, TypeError):
        return [*problems, f"{name}: the inclusion proof is not a list of SHA-256 hashes"]
    if not isinstance(index, int) or not merkle.verify_inclusion(leaf, index, size, proof, root):
        problems.append(f"{name}: the inclusion proof does not lead to the signed root")
    if not problems:
        facts.append(f"{name}: logged at {entry.get('logged_at')} as entry {index}")
    return problems
