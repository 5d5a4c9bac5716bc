"""permessage-deflate parameters and offer/response pairing (RFC 7692 §7), against websockets."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.exceptions import NegotiationError
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    _extract_parameters,
)

from flaskscope.errors import InputError
from flaskscope.handshake.deflate_negotiation import (
    DeflateParams,
    deflate_params,
    deflate_params_from_header,
    deflate_response_problem,
    negotiated_deflate_params,
)
from flaskscope.handshake.extensions import (
    Extension,
    ExtensionError,
)
from tests.conftest import load_vectors

VECTORS = load_vectors("handshake_extensions.json")
SETTINGS = settings(max_examples=300, deadline=None)


@pytest.mark.parametrize("vector", VECTORS["deflate"], ids=lambda v: v["header"] + str(v["offer"]))
def test_deflate_params(vector: dict[str, Any]) -> None:
    if "error" in vector:
        with pytest.raises(ExtensionError) as caught:
            deflate_params_from_header(vector["header"], offer=vector["offer"])
        assert caught.value.parameter == vector["error"]
        assert vector["error"] in str(caught.value)
        assert "RFC 7692 §7" in str(caught.value)
    else:
        params = deflate_params_from_header(vector["header"], offer=vector["offer"])
        assert params == DeflateParams(*vector["params"])


def test_deflate_params_refuses_other_extensions() -> None:
    with pytest.raises(InputError, match="not permessage-deflate"):
        deflate_params(Extension("x-webkit-deflate-frame"))
    with pytest.raises(InputError, match="no permessage-deflate"):
        deflate_params_from_header("x-foo, x-bar; a=1")


def test_first_permessage_deflate_wins() -> None:
    header = "x-foo, permessage-deflate; server_max_window_bits=9, permessage-deflate"
    assert deflate_params_from_header(header).server_max_window_bits == 9


# -- hypothesis against websockets ------------------------------------------------------------

_PARAM_NAMES = st.sampled_from(
    [
        "server_no_context_takeover",
        "client_no_context_takeover",
        "server_max_window_bits",
        "client_max_window_bits",
        "mystery",
    ]
)
_PARAM_VALUES = st.none() | st.sampled_from(["7", "8", "9", "10", "15", "16", "08", "x"])
_PARAMS = st.lists(st.tuples(_PARAM_NAMES, _PARAM_VALUES), max_size=4)


@SETTINGS
@given(_PARAMS, st.booleans())
def test_parameter_validation_agrees_with_websockets(
    params: list[tuple[str, str | None]], offer: bool
) -> None:
    try:
        theirs: Any = _extract_parameters(params, is_server=offer)
    except NegotiationError:
        theirs = None
    try:
        ours: DeflateParams | None = deflate_params(
            Extension("permessage-deflate", tuple(params)), offer=offer
        )
    except ExtensionError:
        ours = None
    assert (ours is None) == (theirs is None)
    if ours is not None:
        server_takeover, client_takeover, server_bits, client_bits = theirs
        assert ours.server_no_context_takeover == server_takeover
        assert ours.client_no_context_takeover == client_takeover
        assert ours.server_max_window_bits == (server_bits or 15)
        assert ours.client_max_window_bits == (
            15 if client_bits is None or client_bits is True else client_bits
        )


_OFFER_BITS = st.none() | st.integers(8, 15)


@SETTINGS
@given(
    st.booleans(),
    st.booleans(),
    _OFFER_BITS,
    st.none() | st.just(True) | st.integers(9, 15),  # websockets refuses to offer 8
    st.lists(
        st.tuples(_PARAM_NAMES.filter(lambda name: name != "mystery"), _PARAM_VALUES),
        max_size=4,
        unique_by=lambda pair: pair[0],
    ),
)
def test_response_acceptance_agrees_with_websockets_client(
    server_takeover: bool,
    client_takeover: bool,
    server_bits: int | None,
    client_bits: int | bool | None,
    response_params: list[tuple[str, str | None]],
) -> None:
    factory = ClientPerMessageDeflateFactory(
        server_no_context_takeover=server_takeover,
        client_no_context_takeover=client_takeover,
        server_max_window_bits=server_bits,
        client_max_window_bits=client_bits,
    )
    offer_params = factory.get_request_params()
    offer = Extension("permessage-deflate", tuple(offer_params))
    response = Extension("permessage-deflate", tuple(response_params))
    try:
        theirs = factory.process_response_params(response_params, [])
    except NegotiationError as error:
        if "= 8, use 9" in str(error):
            return  # websockets' zlib limitation, not an RFC 7692 rule
        theirs = None
    try:
        deflate_params(response)
    except ExtensionError:
        assert theirs is None
        return
    problem = deflate_response_problem(offer, response)
    assert (problem is None) == (theirs is not None), problem
    if theirs is not None:
        assert negotiated_deflate_params(offer, response) == DeflateParams(
            server_no_context_takeover=theirs.remote_no_context_takeover,
            client_no_context_takeover=theirs.local_no_context_takeover,
            server_max_window_bits=theirs.remote_max_window_bits,
            client_max_window_bits=theirs.local_max_window_bits,
        )
