"""Share links: a program and its settings packed into URL query parameters, and back."""

from __future__ import annotations

import base64
import binascii
import zlib

from . import limits


def encode_program(source: str) -> str:
    return base64.urlsafe_b64encode(zlib.compress(source.encode("utf-8"), 9)).decode("ascii").rstrip("=")


def decode_program(token: str) -> str:
    """The program in a share token; ValueError with a plain message if the token is damaged."""
    if len(token) > 4 * limits.MAX_SOURCE_CHARS:
        raise ValueError("the shared program in the link is too long")
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        d = zlib.decompressobj()
        raw = d.decompress(packed, limits.MAX_SOURCE_CHARS * 4 + 1)
        if d.unconsumed_tail or len(raw) > limits.MAX_SOURCE_CHARS * 4:
            raise ValueError("the shared program in the link is too long")
        if not d.eof:
            raise ValueError("the link's program could not be read (it may have been cut short)")
        return raw.decode("utf-8")
    except (binascii.Error, zlib.error, UnicodeDecodeError):
        raise ValueError("the link's program could not be read (it may have been cut short)") from None
