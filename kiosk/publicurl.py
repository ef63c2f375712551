"""The address a citizen's phone uses to reach the centre server (the ticket's status QR).

A QR must never point at a loopback address: no phone can open 127.0.0.1 of
the centre's PC. In order:

1. ``server.public_url`` when set (a name or address on the centre's guest
   Wi-Fi, or a public domain), unless it is itself a loopback address;
2. otherwise the centre LAN address the server is served on: ``server.host``
   when it is a LAN address, or, when it listens on every interface
   (``0.0.0.0`` / ``::``), the address of this machine's LAN interface;
3. otherwise none: tickets carry no status QR and :attr:`PublicUrl.reason`
   says why in one sentence (the server log and the kiosk's admin panel show it).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from kiosk.config import Config
from kiosk.text import N_, gettext

# The ticket `kiosk print-test` prints: its QR opens a page saying phones reach the server.
SAMPLE_TICKET_ID = "sample-7Qm4ZK2vXcR9pL3wTn8yBd"
WILDCARDS = ("0.0.0.0", "::", "")  # noqa: S104 - compared with, not bound to
# Routes are looked up for these addresses, but no packet is sent (UDP connect).
_PROBES = ("10.255.255.255", "192.168.255.255", "172.31.255.255")


@dataclass(frozen=True)
class PublicUrl:
    base: str  # "http://192.168.1.10:8080" without a trailing slash; "" when none
    why: str = ""  # msgid: why there is none, one sentence for centre IT
    values: tuple[tuple[str, str], ...] = ()

    def reason(self, lang: str = "en") -> str:
        """Why tickets carry no status QR, in ``lang``; "" when they do."""
        return gettext(self.why, lang, **dict(self.values)) if self.why else ""

    def ticket(self, ticket_id: str) -> str:
        """The page of a ticket, or "" when phones cannot reach the server."""
        return f"{self.base}/t/{ticket_id}" if self.base else ""


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def lan_address() -> str | None:
    """This machine's address on its LAN (the interface a route leaves by), or None."""
    for probe in _PROBES:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                sock.connect((probe, 9))
                address = sock.getsockname()[0]
            except OSError:
                continue
        if not is_loopback(address) and address not in WILDCARDS:
            return str(address)
    return None


def _http(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def resolve(cfg: Config, host: str | None = None, port: int | None = None) -> PublicUrl:
    """The phones' base URL; ``host``/``port``: where the server really listens, if known."""
    given = cfg.server.public_url.strip().rstrip("/")
    if given:
        if is_loopback(urlsplit(given).hostname):
            return PublicUrl(
                "",
                N_(
                    "The setting server.public_url ({url}) is a loopback address that no "
                    "phone can open, so tickets carry no status QR; set it to the centre's "
                    "LAN or Wi-Fi address."
                ),
                (("url", given),),
            )
        return PublicUrl(given)
    host = (cfg.server.host if host is None else host).strip()
    port = cfg.server.port if port is None else port
    if host in WILDCARDS:
        found = lan_address()
        if found:
            return PublicUrl(_http(found, port))
        return PublicUrl(
            "",
            N_(
                "This machine has no LAN address and server.public_url is empty, "
                "so tickets carry no status QR; connect it to the centre's network "
                "or set server.public_url."
            ),
        )
    if is_loopback(host):
        return PublicUrl(
            "",
            N_(
                "The server listens only on {host} and server.public_url is empty, so phones "
                'cannot reach it and tickets carry no status QR; set server.host = "0.0.0.0" '
                "(or the centre LAN address) or server.public_url."
            ),
            (("host", host),),
        )
    return PublicUrl(_http(host, port))
