"""The instance's Ed25519 key, which signs the proof log's tree heads.

Made on first use and kept in one file (``PROSUMO_PROVENANCE_KEY_FILE``, by default
``provenance-ed25519.pem`` in the data directory), readable by its owner only. Back it up
with the secret key: a site that loses it makes a new one, and the heads signed before
still carry the old public key (docs/operations.md).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from prosumo.provenance.proof import b64

_loaded: dict[Path, Ed25519PrivateKey] = {}
_lock = threading.Lock()


def key_path() -> Path:
    return Path(settings.PROSUMO_PROVENANCE_KEY_FILE)


def _create(path: Path) -> None:
    """Write a new key to ``path`` unless one is there; two processes at once keep the first one written."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    draft = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(draft, path)  # fails when the file exists: never replace a key
    except FileExistsError:
        pass
    finally:
        draft.unlink()


def instance_key() -> Ed25519PrivateKey:
    """The signing key, read once per process, made when there is none yet."""
    path = key_path()
    with _lock:
        if path not in _loaded:
            if not path.exists():
                _create(path)
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError(f"{path} does not hold an Ed25519 private key")
            _loaded[path] = key
        return _loaded[path]


def public_key_b64() -> str:
    """The instance's public key, raw bytes in base64, as certificates carry it."""
    raw = instance_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return b64(raw)
