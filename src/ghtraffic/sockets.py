"""Listening sockets for the servers of every part (``serve``, ``demo``, the metrics
port): bound before anything is announced, with a one-line error saying what to do when
the address cannot be had."""

from __future__ import annotations

import errno
import socket

from ghtraffic.config import ConfigError

#: Ports the demo tries after the one asked for, when that one is in use.
NEXT_PORTS = 20


class AddressUnavailable(ConfigError):
    """The address cannot be listened on (in use, not this machine's, not permitted)."""

    def __init__(self, message: str, *, in_use: bool = False) -> None:
        super().__init__(message)
        self.in_use = in_use


def bind(host: str, port: int, *, option: str = "--port or [web] port") -> socket.socket:
    """A socket listening on ``host:port`` (port 0: any free port), or
    ``AddressUnavailable``. ``option`` names where the port is chosen, for the message."""
    try:
        infos = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE | socket.AI_NUMERICSERV
        )
    except socket.gaierror:
        raise AddressUnavailable(_not_here(host)) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as error:
        sock.close()
        raise unavailable(error, host, port, option) from None
    sock.setblocking(False)
    return sock


def bind_from(host: str, port: int, *, tries: int = NEXT_PORTS) -> socket.socket:
    """A socket on ``port`` or, when it is in use, on the first free one of the next
    ``tries`` ports."""
    for candidate in range(port, min(port + tries, 65535) + 1):
        try:
            return bind(host, candidate)
        except AddressUnavailable as error:
            if not error.in_use:
                raise
    raise AddressUnavailable(
        f"ports {port} to {min(port + tries, 65535)} on {host} are all in use: "
        "choose a free one with --port",
        in_use=True,
    )


def url_of(sock: socket.socket) -> str:
    """``http://host:port`` of a listening socket (IPv6 addresses in brackets)."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _not_here(host: str) -> str:
    return (
        f"cannot listen on {host}: it is not an address of this machine; use 127.0.0.1, "
        "0.0.0.0 (every address) or one of this machine's addresses (--host or [web] host)"
    )


def unavailable(error: OSError, host: str, port: int, option: str) -> AddressUnavailable:
    """The one-line error of a failed ``bind`` of ``host:port``."""
    if error.errno == errno.EADDRINUSE:
        return AddressUnavailable(
            f"port {port} on {host} is already in use by another program: stop that "
            f"program, or choose a free port with {option}",
            in_use=True,
        )
    if error.errno == errno.EACCES:
        return AddressUnavailable(
            f"listening on port {port} needs privileges this user lacks: choose a port "
            f"above 1023 with {option} (and put a proxy on port {port} if you need it)"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return AddressUnavailable(_not_here(host))
    reason = error.strerror or str(error)
    return AddressUnavailable(f"cannot listen on {host}:{port}: {reason}")
