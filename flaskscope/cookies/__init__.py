"""Flask's own signed-cookie sessions (pure: str/bytes in, frozen dataclasses out).

Finding a cookie in whatever was pasted (``find``), its three parts and base64/zlib
(``format``), itsdangerous' signing options and signatures (``signing``), Flask's tagged JSON
(``tagged``), decoding and verifying (``decode``), signing test cookies (``sign``), and the
warnings around a verdict (``warnings``). Errors are in ``errors``.

May import: the standard library, itsdangerous, :mod:`flaskscope.errors`. Never Click, rich,
Flask, or another flaskscope package: cookies are the base that audit, sessions and the app
loader build on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flaskscope._paths import lazy_exports

if TYPE_CHECKING:  # the names, for type checkers; at run time they load on first use
    from flaskscope.cookies.decode import (
        BROWSER_COOKIE_LIMIT as BROWSER_COOKIE_LIMIT,
    )
    from flaskscope.cookies.decode import (
        COOKIE_SIZE_WARNING as COOKIE_SIZE_WARNING,
    )
    from flaskscope.cookies.decode import (
        DEFAULT_COOKIE_NAME as DEFAULT_COOKIE_NAME,
    )
    from flaskscope.cookies.decode import (
        DEFAULT_MAX_AGE as DEFAULT_MAX_AGE,
    )
    from flaskscope.cookies.decode import (
        DEFAULT_MAX_DECOMPRESSED as DEFAULT_MAX_DECOMPRESSED,
    )
    from flaskscope.cookies.decode import (
        DEFAULT_SALT as DEFAULT_SALT,
    )
    from flaskscope.cookies.decode import (
        LEGACY_EPOCH as LEGACY_EPOCH,
    )
    from flaskscope.cookies.decode import (
        STATUSES as STATUSES,
    )
    from flaskscope.cookies.decode import (
        CookieInputError as CookieInputError,
    )
    from flaskscope.cookies.decode import (
        CookieNotFoundError as CookieNotFoundError,
    )
    from flaskscope.cookies.decode import (
        CookieParts as CookieParts,
    )
    from flaskscope.cookies.decode import (
        DecodedCookie as DecodedCookie,
    )
    from flaskscope.cookies.decode import (
        DecompressionLimitError as DecompressionLimitError,
    )
    from flaskscope.cookies.decode import (
        MalformedCookieError as MalformedCookieError,
    )
    from flaskscope.cookies.decode import (
        PayloadError as PayloadError,
    )
    from flaskscope.cookies.decode import (
        SigningOptionError as SigningOptionError,
    )
    from flaskscope.cookies.decode import (
        SigningOptions as SigningOptions,
    )
    from flaskscope.cookies.decode import (
        aware_utc as aware_utc,
    )
    from flaskscope.cookies.decode import (
        compute_signature as compute_signature,
    )
    from flaskscope.cookies.decode import (
        cookie_age as cookie_age,
    )
    from flaskscope.cookies.decode import (
        decode_cookie as decode_cookie,
    )
    from flaskscope.cookies.decode import (
        derive_key as derive_key,
    )
    from flaskscope.cookies.decode import (
        describe_duration as describe_duration,
    )
    from flaskscope.cookies.decode import (
        find_cookie as find_cookie,
    )
    from flaskscope.cookies.decode import (
        is_expired as is_expired,
    )
    from flaskscope.cookies.decode import (
        load_session as load_session,
    )
    from flaskscope.cookies.decode import (
        matching_key as matching_key,
    )
    from flaskscope.cookies.decode import (
        size_warning as size_warning,
    )
    from flaskscope.cookies.decode import (
        split_cookie as split_cookie,
    )
    from flaskscope.cookies.decode import (
        verify_signature as verify_signature,
    )
    from flaskscope.cookies.find import (
        parse_cookie_pairs as parse_cookie_pairs,
    )
    from flaskscope.cookies.format import (
        COMPRESSED_MARKER as COMPRESSED_MARKER,
    )
    from flaskscope.cookies.format import (
        SEPARATOR as SEPARATOR,
    )
    from flaskscope.cookies.format import (
        b64url_decode as b64url_decode,
    )
    from flaskscope.cookies.format import (
        b64url_encode as b64url_encode,
    )
    from flaskscope.cookies.format import (
        decompress_bounded as decompress_bounded,
    )
    from flaskscope.cookies.format import (
        int_to_bytes as int_to_bytes,
    )
    from flaskscope.cookies.sign import (
        session_from_json as session_from_json,
    )
    from flaskscope.cookies.sign import (
        sign_cookie as sign_cookie,
    )
    from flaskscope.cookies.signing import (
        DIGEST_SIZES as DIGEST_SIZES,
    )
    from flaskscope.cookies.signing import (
        KEY_DERIVATIONS as KEY_DERIVATIONS,
    )
    from flaskscope.cookies.signing import (
        digest_constructor as digest_constructor,
    )
    from flaskscope.cookies.signing import (
        digest_size as digest_size,
    )
    from flaskscope.cookies.signing import (
        find_other_options as find_other_options,
    )
    from flaskscope.cookies.warnings import (
        cookie_warnings as cookie_warnings,
    )
    from flaskscope.cookies.warnings import (
        other_options_hint as other_options_hint,
    )

_EXPORTS: dict[str, str] = {
    "BROWSER_COOKIE_LIMIT": "flaskscope.cookies.decode",
    "COMPRESSED_MARKER": "flaskscope.cookies.format",
    "COOKIE_SIZE_WARNING": "flaskscope.cookies.decode",
    "CookieInputError": "flaskscope.cookies.decode",
    "CookieNotFoundError": "flaskscope.cookies.decode",
    "CookieParts": "flaskscope.cookies.decode",
    "DEFAULT_COOKIE_NAME": "flaskscope.cookies.decode",
    "DEFAULT_MAX_AGE": "flaskscope.cookies.decode",
    "DEFAULT_MAX_DECOMPRESSED": "flaskscope.cookies.decode",
    "DEFAULT_SALT": "flaskscope.cookies.decode",
    "DIGEST_SIZES": "flaskscope.cookies.signing",
    "DecodedCookie": "flaskscope.cookies.decode",
    "DecompressionLimitError": "flaskscope.cookies.decode",
    "KEY_DERIVATIONS": "flaskscope.cookies.signing",
    "LEGACY_EPOCH": "flaskscope.cookies.decode",
    "MalformedCookieError": "flaskscope.cookies.decode",
    "PayloadError": "flaskscope.cookies.decode",
    "SEPARATOR": "flaskscope.cookies.format",
    "STATUSES": "flaskscope.cookies.decode",
    "SigningOptionError": "flaskscope.cookies.decode",
    "SigningOptions": "flaskscope.cookies.decode",
    "aware_utc": "flaskscope.cookies.decode",
    "b64url_decode": "flaskscope.cookies.format",
    "b64url_encode": "flaskscope.cookies.format",
    "compute_signature": "flaskscope.cookies.decode",
    "cookie_age": "flaskscope.cookies.decode",
    "cookie_warnings": "flaskscope.cookies.warnings",
    "decode_cookie": "flaskscope.cookies.decode",
    "decompress_bounded": "flaskscope.cookies.format",
    "derive_key": "flaskscope.cookies.decode",
    "describe_duration": "flaskscope.cookies.decode",
    "digest_constructor": "flaskscope.cookies.signing",
    "digest_size": "flaskscope.cookies.signing",
    "find_cookie": "flaskscope.cookies.decode",
    "find_other_options": "flaskscope.cookies.signing",
    "int_to_bytes": "flaskscope.cookies.format",
    "is_expired": "flaskscope.cookies.decode",
    "load_session": "flaskscope.cookies.decode",
    "matching_key": "flaskscope.cookies.decode",
    "other_options_hint": "flaskscope.cookies.warnings",
    "parse_cookie_pairs": "flaskscope.cookies.find",
    "session_from_json": "flaskscope.cookies.sign",
    "sign_cookie": "flaskscope.cookies.sign",
    "size_warning": "flaskscope.cookies.decode",
    "split_cookie": "flaskscope.cookies.decode",
    "verify_signature": "flaskscope.cookies.decode",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
