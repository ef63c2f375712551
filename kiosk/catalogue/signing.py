"""Ed25519 signatures of the central catalogue (docs/catalogue-api.md, "Signatures").

The manifest is signed over a fixed text of its fields (no JSON canonicalisation
to disagree about). It names the SHA-256 of the full export, which binds the
export to the signature, and the SHA-256 of the catalogue's *state* (its fields
and procedures in one canonical JSON spelling), which binds the result of
applying changes: a server that drops, adds or alters anything on the way is
caught even if every page it sent was genuine.

A changes page is signed over its position in the chain (the cursor it answers
and the cursor of the page before) followed by its exact body bytes, so a
genuine page cannot be served in place of another (a spliced chain that skips
pages). Each signed text starts with its own label, so a signature made for one
kind of payload can never be replayed as another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

MANIFEST_LABEL = b"kiosk-catalogue-manifest/2\n"
CHANGES_LABEL = b"kiosk-catalogue-changes/2\n"
SIGNATURE_HEADER = "X-Catalogue-Signature"


class PublicKeyError(ValueError):
    """A configured key that is not a base64 Ed25519 public key."""


def manifest_message(
    version: int, updated_at: str, count: int, sha256: str, state_sha256: str
) -> bytes:
    text = f"{version}\n{updated_at}\n{count}\n{sha256}\n{state_sha256}\n"
    return MANIFEST_LABEL + text.encode("ascii")


def changes_message(body: bytes, cursor: str | None, previous: str | None) -> bytes:
    """What a changes page's signature covers: its place in the chain, then its body.

    ``cursor`` is the one the page answers (None for the first page), ``previous``
    the one the page before answered (None for the first two pages).
    """
    chain = f"{cursor or ''}\n{previous or ''}\n".encode()
    return CHANGES_LABEL + chain + body


def state_sha256(fields: Sequence[dict[str, Any]], procedures: Sequence[dict[str, Any]]) -> str:
    """SHA-256 of a catalogue's content in its one canonical spelling (format-1 JSON values).

    Sorted keys, no spaces, UTF-8 (not ASCII escapes), procedures ordered by code;
    the document's header (version, dates, source) is covered by the manifest itself.
    """
    ordered = sorted(procedures, key=lambda p: p["code"])
    return state_sha256_of(canonical(list(fields)), (canonical(p) for p in ordered))


def state_sha256_of(fields_json: str, procedures_json: Iterable[str]) -> str:
    """:func:`state_sha256` from the canonical JSON of the fields and of each procedure
    (in code order), hashed as it comes: a sync hashes the texts its store already
    holds instead of rebuilding and re-serialising the whole catalogue."""
    digest = hashlib.sha256(b'{"fields":')
    digest.update(fields_json.encode("utf-8"))
    digest.update(b',"procedures":[')
    for i, text in enumerate(procedures_json):
        if i:
            digest.update(b",")
        digest.update(text.encode("utf-8"))
    digest.update(b"]}")
    return digest.hexdigest()


def canonical(value: object) -> str:
    """The one JSON spelling of the state hash (docs/catalogue-api.md), in which the
    store also keeps each procedure (so stored texts can be hashed as they are)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


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
