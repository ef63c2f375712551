"""Ed25519 signatures of the central catalogue (docs/catalogue-api.md, "Signatures").

The manifest is signed over a fixed text of its fields (no JSON canonicalisation
to disagree about) and names the SHA-256 of the full export, which binds the
export to the signature. A changes page is signed over its exact body bytes.
Each signed text starts with its own label, so a signature made for one kind of
payload can never be replayed as another.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

MANIFEST_LABEL = b"kiosk-catalogue-manifest/1\n"
CHANGES_LABEL = b"kiosk-catalogue-changes/1\n"
SIGNATURE_HEADER = "X-Catalogue-Signature"


class PublicKeyError(ValueError):
    """A configured key that is not a base64 Ed25519 public key."""


def manifest_message(version: int, updated_at: str, count: int, sha256: str) -> bytes:
    return MANIFEST_LABEL + f"{version}\n{updated_at}\n{count}\n{sha256}\n".encode("ascii")


def changes_message(body: bytes) -> bytes:
    return CHANGES_LABEL + body


def load_public_key(text: str) -> Ed25519PublicKey:
    """The config's ``catalogue.public_key``: base64 of the 32 raw key bytes."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise PublicKeyError(
            "catalogue.public_key is not a base64 Ed25519 public key (32 bytes)"
        ) from None


def public_key_text(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message)).decode("ascii")


def verify(key: Ed25519PublicKey, message: bytes, signature: object) -> bool:
    """True only for a well-formed base64 signature that matches ``message``."""
    if not isinstance(signature, str) or len(signature) > 200:
        return False
    try:
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True
