"""Spoken call announcements that work offline: composer, fragment cache, playback queue.

No Kivy here: the board passes a sink (kiosk.ui.audio.KivySoundSink) to the
:class:`Announcer`. See docs/voice.md.
"""

from kiosk.voice.announcer import Announcer
from kiosk.voice.build import BuildReport, build_cache
from kiosk.voice.cache import FragmentCache
from kiosk.voice.composer import compose_call, compose_for, required_fragments
from kiosk.voice.fragments import CHIME, PAUSE, Fragment, text_fragment
from kiosk.voice.offline import OfflineSpeechFailed, OfflineVoice, Speech
from kiosk.voice.player import AudioSink, NullSink, Player
from kiosk.voice.tts import GTTSRenderer, TTSFailed, TTSUnavailable

__all__ = [
    "CHIME",
    "PAUSE",
    "Announcer",
    "AudioSink",
    "BuildReport",
    "Fragment",
    "FragmentCache",
    "GTTSRenderer",
    "NullSink",
    "OfflineSpeechFailed",
    "OfflineVoice",
    "Player",
    "Speech",
    "TTSFailed",
    "TTSUnavailable",
    "build_cache",
    "compose_call",
    "compose_for",
    "required_fragments",
    "text_fragment",
]
