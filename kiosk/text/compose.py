"""Vietnamese composition for the on-screen keyboard: tone keys and Telex.

Search folds tones away, so a citizen may type without any; but what the
screen shows back must be correct Vietnamese when they do add them. Tones go
where Vietnamese schoolbooks put them (``hòa``, ``thủy``, ``người``,
``quá``, ``giữ``); search accepts either placement anyway.
"""

from __future__ import annotations

import unicodedata

from kiosk.text.normalize import nfc

# Combining marks for the five tones.
TONES = {
    "acute": "\u0301",  # sắc
    "grave": "\u0300",  # huyền
    "hook": "\u0309",  # hỏi
    "tilde": "\u0303",  # ngã
    "dot": "\u0323",  # nặng
}
TELEX_TONES = {"s": "acute", "f": "grave", "r": "hook", "x": "tilde", "j": "dot"}
_TONE_MARKS = set(TONES.values())
_VOWELS = set("aăâeêioôơuưy")
_HATTED = set("ăâêôơư")
_TELEX_DOUBLE = {"aa": "â", "ee": "ê", "oo": "ô", "dd": "đ", "aw": "ă", "ow": "ơ", "uw": "ư"}


def _split_tone(word: str) -> tuple[str, str | None]:
    """Return the word without its tone mark, and the mark (or None)."""
    decomposed = unicodedata.normalize("NFD", word)
    tone = next((ch for ch in decomposed if ch in _TONE_MARKS), None)
    bare = "".join(ch for ch in decomposed if ch not in _TONE_MARKS)
    return nfc(bare), tone


def _tone_position(bare: str) -> int | None:
    """Index (in the NFC bare word) of the vowel that carries the tone."""
    lower = bare.lower()
    idx = [i for i, ch in enumerate(lower) if ch in _VOWELS]
    if not idx:
        return None
    # "gi" and "qu" are initials: their i/u is not the syllable's vowel when more follow.
    if lower.startswith("qu") and len(idx) > 1 and idx[0] == 1:
        idx = idx[1:]
    elif lower.startswith("gi") and len(idx) > 1 and idx[0] == 1:
        idx = idx[1:]
    # Keep only the contiguous vowel cluster.
    cluster = [idx[0]]
    for i in idx[1:]:
        if i == cluster[-1] + 1:
            cluster.append(i)
        else:
            break
    hatted = [i for i in cluster if lower[i] in _HATTED]
    if hatted:
        return hatted[-1]  # ươ -> ơ; ê, ô, â ...
    ends_with_consonant = cluster[-1] < len(lower) - 1
    if len(cluster) == 1:
        return cluster[0]
    if len(cluster) == 3 or ends_with_consonant:
        return cluster[1]
    return cluster[0]  # two vowels, open syllable: hòa, mùa, tủi


def apply_tone(word: str, tone: str | None) -> str:
    """Put ``tone`` (a key of TONES, or None to remove) on the right vowel of ``word``."""
    bare, _ = _split_tone(word)
    if tone is None:
        return bare
    pos = _tone_position(bare)
    if pos is None:
        return word
    return nfc(bare[: pos + 1] + TONES[tone] + bare[pos + 1 :])


def _last_word(text: str) -> tuple[str, str]:
    i = len(text)
    while i > 0 and text[i - 1].isalpha():
        i -= 1
    return text[:i], text[i:]


def telex_key(text: str, key: str) -> str:
    """Append one key to ``text`` with Telex rules; returns the new text."""
    if not key.isalpha():
        return text + key
    head, word = _last_word(text)
    k = key.lower()
    if word and k in TELEX_TONES:
        bare, current = _split_tone(word)
        wanted = TELEX_TONES[k]
        if _tone_position(bare) is not None:
            if current == TONES[wanted]:  # the same tone key twice: undo, keep the letter
                return head + bare + key
            return head + apply_tone(word, wanted)
    if word and k == "z":
        bare, current = _split_tone(word)
        if current:
            return head + bare
    if word:
        bare, tone_mark = _split_tone(word)
        tone = next((n for n, m in TONES.items() if m == tone_mark), None)
        last = bare[-1]
        pair = last.lower() + k
        if k == "w" and bare.lower().endswith("uo"):  # uow -> ươ
            new = bare[:-2] + _case("ư", bare[-2]) + _case("ơ", last)
            return head + (apply_tone(new, tone) if tone else new)
        if pair in _TELEX_DOUBLE:
            new = bare[:-1] + _case(_TELEX_DOUBLE[pair], last)
            return head + (apply_tone(new, tone) if tone else new)
        # aa after â undoes it: "aaa" -> "aa"
        undo = {"â": "a", "ê": "e", "ô": "o", "đ": "d", "ă": "a", "ơ": "o", "ư": "u"}
        if last.lower() in undo and _TELEX_DOUBLE.get(undo[last.lower()] + k) == last.lower():
            new = bare[:-1] + _case(undo[last.lower()], last) + key
            return head + (apply_tone(new, tone) if tone else new)
        if tone:
            return head + apply_tone(bare + key, tone)
    return text + key


def _case(letter: str, like: str) -> str:
    return letter.upper() if like.isupper() else letter


def telex(keys: str) -> str:
    """Compose a whole key sequence (``"dangw kys"`` -> ``"đăng ký"`` needs ``dd``)."""
    out = ""
    for key in keys:
        out = telex_key(out, key)
    return out
