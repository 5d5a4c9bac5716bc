"""A ``Set-Cookie`` header read as a browser reads it (RFC 6265 §5.2), and whether it sticks.

Browsers keep about 4096 bytes per cookie (RFC 6265 §6.1: name, value and attributes);
Werkzeug warns past 4093 (:data:`flaskscope.cookies.BROWSER_COOKIE_LIMIT`). A ``Domain`` that
does not domain-match the request host is ignored by the browser (§5.3 step 6), and a
``Secure`` cookie set over plain HTTP is not stored (RFC 6265bis §5.7 step 14; browsers
make an exception for ``localhost``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

__all__ = ["SetCookie", "domain_matches", "is_loopback_host", "parse_set_cookie"]


@dataclass(frozen=True)
class SetCookie:
    """One ``Set-Cookie`` header: the pair, the attributes a browser reads, and its size."""

    name: str
    value: str
    size: int
    """Bytes of the whole header value (what Werkzeug compares with ``max_cookie_size``)."""
    domain: str | None = None
    path: str | None = None
    expires: str | None = None
    max_age: str | None = None
    secure: bool = False
    httponly: bool = False
    samesite: str | None = None
    partitioned: bool = False

    @property
    def deletes(self) -> bool:
        """The header removes the cookie (Werkzeug's ``delete_cookie``: empty, expired)."""
        return self.max_age == "0" or (
            self.value == "" and (self.expires or "").endswith("1970 00:00:00 GMT")
        )

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "size": self.size,
            "domain": self.domain,
            "path": self.path,
            "expires": self.expires,
            "max_age": self.max_age,
            "secure": self.secure,
            "httponly": self.httponly,
            "samesite": self.samesite,
            "partitioned": self.partitioned,
            "deletes": self.deletes,
        }


def parse_set_cookie(header: str) -> SetCookie:
    """Parse one header value (RFC 6265 §5.2: the first ``;`` ends the pair, attribute
    names are case-insensitive, unknown attributes are ignored)."""
    pair, *attributes = header.split(";")
    name, _, value = pair.partition("=")
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    found: dict[str, str | None] = {}
    for attribute in attributes:
        key, equals, attribute_value = attribute.partition("=")
        found[key.strip().lower()] = attribute_value.strip() if equals else None
    domain = found.get("domain")
    return SetCookie(
        name=name.strip(),
        value=value,
        size=len(header.encode("utf-8", "surrogatepass")),
        domain=domain.lstrip(".").lower() if domain else None,
        path=found.get("path"),
        expires=found.get("expires"),
        max_age=found.get("max-age"),
        secure="secure" in found,
        httponly="httponly" in found,
        samesite=found.get("samesite"),
        partitioned="partitioned" in found,
    )


def is_loopback_host(host: str) -> bool:
    """``localhost`` (and its subdomains) or a loopback address: browsers treat it as secure."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def domain_matches(host: str, domain: str) -> bool:
    """RFC 6265 §5.1.3: ``host`` equals ``domain`` or ends with ``.domain`` (not an IP)."""
    host = host.strip("[]").lower()
    domain = domain.lstrip(".").lower()
    if host == domain:
        return True
    try:
        ipaddress.ip_address(host)
        return False
    except ValueError:
        return host.endswith(f".{domain}")
