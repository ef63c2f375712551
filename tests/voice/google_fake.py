"""Google's TTS endpoint faked at the HTTP layer (``responses``), the only mock in these tests.

The answer has the shape gTTS parses (the ``jQ1olc`` RPC line with base64
audio); the audio is a real MP3 clip, so what the cache stores is playable.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path

import requests
import responses

URL = "https://translate.google.com/_/TranslateWebserverUi/data/batchexecute"
MP3 = (Path(__file__).parent / "fixtures" / "tone-440hz.mp3").read_bytes()


def rpc_body(audio: bytes) -> str:
    b64 = base64.b64encode(audio).decode("ascii")
    return ")]}'\n\n" + f'[["wrb.fr","jQ1olc","[\\"{b64}\\"]",null,null,null,"generic"]]\n'


def spoken(request: requests.PreparedRequest) -> tuple[str, str]:
    """(text, lang) from a gTTS request body."""
    body = request.body.decode() if isinstance(request.body, bytes) else request.body
    freq = urllib.parse.parse_qs(body)["f.req"][0]
    text, lang, *_ = json.loads(json.loads(freq)[0][0][1])
    return text, lang


class FakeGoogle:
    """Answers with audio and records what was asked; ``script`` queues special answers."""

    def __init__(self, mock: responses.RequestsMock) -> None:
        self.asked: list[tuple[str, str]] = []
        self.script: list[int | Exception] = []  # next answers: HTTP status or an exception
        self.retry_after: str | None = None
        mock.add_callback(responses.POST, URL, callback=self._answer)

    def _answer(self, request: requests.PreparedRequest):
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, Exception):
                raise step
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            return step, headers, "Too Many Requests"
        self.asked.append(spoken(request))
        return 200, {}, rpc_body(MP3)
