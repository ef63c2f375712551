"""Where each fragment's clip comes from: a recorded voice pack, the rendered cache, or built-ins.

Precedence: ``<packs_dir>/<lang>/<key>.wav|.ogg|.mp3`` (a native speaker's
recording) over the rendered cache ``<cache_dir>/<lang>/<key>-<hash>.<ext>``.
The cache's ``manifest.json`` records, per fragment, its text, language,
source (``gtts``) and SHA-256 checksum; an entry whose text changed (another
dialect, edited wording) or whose file is damaged counts as missing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.filetarget import atomic_write
from kiosk.paths import ASSETS
from kiosk.voice.fragments import Fragment

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
AUDIO_EXTENSIONS = (".wav", ".ogg", ".mp3")
BUILTIN_SOUNDS = ASSETS / "voice"


class NotAudio(ValueError):
    """Bytes that are not a clip the player understands."""


def sniff_extension(data: bytes) -> str:
    """The file extension for an audio payload, from its magic bytes."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return ".wav"
    if data[:4] == b"OggS":
        return ".ogg"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return ".mp3"
    raise NotAudio("the payload is not WAV, Ogg or MP3 audio")


def checksum(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _text_tag(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]


class FragmentCache:
    """Looks fragments up (packs first) and stores rendered ones with a manifest."""

    def __init__(self, cache_dir: Path, packs_dir: Path | None = None) -> None:
        self.cache_dir = Path(cache_dir)
        self.packs_dir = Path(packs_dir) if packs_dir else None
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] = {}
        self._loaded_mtime: int | None = None

    @classmethod
    def for_config(cls, cfg: Any) -> FragmentCache:
        return cls(cfg.data_path(cfg.voice.cache_dir), cfg.asset_path(cfg.voice.packs_dir))

    # -- manifest ----------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.cache_dir / MANIFEST

    def _reload(self) -> None:
        """Re-read the manifest when another process (``kiosk voice build``) changed it."""
        try:
            mtime = self.manifest_path.stat().st_mtime_ns
        except FileNotFoundError:
            self._entries, self._loaded_mtime = {}, None
            return
        if mtime == self._loaded_mtime:
            return
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            entries = data["fragments"]
            if not isinstance(entries, dict):
                raise TypeError("fragments is not an object")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("voice cache manifest %s is unreadable (%s); treating the cache as empty",
                      self.manifest_path, exc)  # fmt: skip
            entries = {}
        self._entries, self._loaded_mtime = entries, mtime

    def _save(self) -> None:
        body = {"version": 1, "fragments": dict(sorted(self._entries.items()))}
        text = json.dumps(body, ensure_ascii=False, indent=1) + "\n"
        atomic_write(self.manifest_path, text.encode("utf-8"))
        self._loaded_mtime = self.manifest_path.stat().st_mtime_ns

    def entries(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            self._reload()
            return dict(self._entries)

    # -- lookups -----------------------------------------------------------
    def pack_file(self, frag: Fragment) -> Path | None:
        """A recorded clip for ``frag`` in the voice packs, if there is one."""
        if self.packs_dir is None:
            return None
        folder = self.packs_dir / frag.lang if frag.lang else self.packs_dir
        for ext in AUDIO_EXTENSIONS:
            path = folder / f"{frag.key}{ext}"
            if path.is_file():
                return path
        return None

    def _cached_file(self, frag: Fragment) -> Path | None:
        entry = self._entries.get(frag.id)
        if not entry or entry.get("text") != unicodedata.normalize("NFC", frag.text):
            return None
        path = self.cache_dir / entry["file"]
        try:
            if path.stat().st_size != entry.get("bytes"):
                return None
        except OSError:
            return None
        return path

    def lookup(self, frag: Fragment) -> Path | None:
        """The clip to play for ``frag``, or None when it has not been rendered or recorded."""
        found = self.pack_file(frag)
        if found is not None:
            return found
        if frag.is_sound:
            builtin = BUILTIN_SOUNDS / f"{frag.key}.wav"
            return builtin if builtin.is_file() else None
        with self._lock:
            self._reload()
            return self._cached_file(frag)

    def source_of(self, frag: Fragment) -> str | None:
        if self.pack_file(frag) is not None:
            return "pack"
        with self._lock:
            self._reload()
            if self._cached_file(frag) is None:
                return None
            return str(self._entries[frag.id].get("source", "?"))

    # -- writing -----------------------------------------------------------
    def store(self, frag: Fragment, data: bytes, source: str) -> Path:
        """Keep a rendered clip and record it in the manifest (atomically, so a build resumes)."""
        ext = sniff_extension(data)
        text = unicodedata.normalize("NFC", frag.text)
        rel = Path(frag.lang or "_") / f"{frag.key}-{_text_tag(text)}{ext}"
        with self._lock:
            self._reload()
            old = self._entries.get(frag.id)
            atomic_write(self.cache_dir / rel, data)
            self._entries[frag.id] = {
                "lang": frag.lang,
                "key": frag.key,
                "text": text,
                "file": rel.as_posix(),
                "source": source,
                "checksum": checksum(data),
                "bytes": len(data),
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            self._save()
            if old and old.get("file") != rel.as_posix():
                (self.cache_dir / old["file"]).unlink(missing_ok=True)
        return self.cache_dir / rel

    def verify(self) -> list[str]:
        """Drop entries whose file is missing or fails its checksum; return their ids."""
        bad = []
        with self._lock:
            self._reload()
            for fid, entry in list(self._entries.items()):
                try:
                    data = (self.cache_dir / entry["file"]).read_bytes()
                    ok = checksum(data) == entry.get("checksum")
                except (OSError, KeyError, TypeError):
                    ok = False
                if not ok:
                    bad.append(fid)
                    del self._entries[fid]
            if bad:
                log.warning("voice cache: %d damaged clip(s) dropped: %s", len(bad), ", ".join(bad))
                self._save()
        return bad
