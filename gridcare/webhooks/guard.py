"""Where a webhook may be sent: never to loopback, private, link-local, multicast or
reserved addresses (the server's own network, a cloud's metadata service) unless the
setting allows private and loopback ones (a test receiver on 127.0.0.1). Checked when a
subscription is saved and again before every delivery (a name may resolve elsewhere later).

A delivery connects to the very address that was checked (``pinned_session``): the name is
not looked up a second time, so a name that answers a public address to the check and a
private one to the connection (DNS rebinding) cannot reach the private one. The host name
still travels as the Host header, as the TLS server name (SNI) and as the name the
certificate is verified against."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

import requests
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter

from gridcare.core.errors import ApplicationError


def _refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_private: bool) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    if ip.is_link_local or ip.is_multicast or ip.is_unspecified:
        return True  # never, whatever the setting (169.254.169.254 is a metadata service)
    if ip.is_loopback or ip.is_private:
        return not allow_private
    return ip.is_reserved or not ip.is_global


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return sorted({info[4][0] for info in infos})


def check_url(url: str, *, allow_private: bool, field: str = "url") -> list[str]:
    """Refuse ``url`` unless it is http(s) to a host whose every address is public (or,
    when ``allow_private``, private or loopback). Returns the addresses checked."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ApplicationError(_("接收地址格式不正确"), field=field, code="invalid") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ApplicationError(_("接收地址须以 http:// 或 https:// 开头"), field=field, code="invalid")
    addresses = resolve(parts.hostname, port)
    if not addresses:
        raise ApplicationError(_("无法解析接收地址的主机名"), field=field, code="unresolvable")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if _refused(ip, allow_private):
            raise ApplicationError(
                _("接收地址指向内网、本机或保留地址（%(ip)s），不允许推送") % {"ip": address},
                field=field,
                code="private_address",
            )
    return addresses


class _PinnedAdapter(HTTPAdapter):
    """Connects to an address given in the URL while TLS names and verifies ``hostname``."""

    def __init__(self, hostname: str, **kwargs):
        self._hostname = hostname
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["server_hostname"] = self._hostname
        kwargs["assert_hostname"] = self._hostname
        super().init_poolmanager(*args, **kwargs)


def pinned_request(url: str, address: str) -> tuple[requests.Session, str, dict[str, str]]:
    """(session, URL to the address, headers) for a request to ``url`` that connects to
    ``address`` (one of ``check_url``'s) without resolving the host name again."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    ip = address.split("%")[0]
    literal = f"[{ip}]" if ":" in ip else ip
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if parts.port is None else f"[{host}]:{parts.port}"
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the guard checked this address
    session.mount("https://", _PinnedAdapter(host))
    return session, pinned, {"host": host_header}
