"""The Internet checksum (RFC 1071), fast in pure Python.

The one's-complement sum of 16-bit words equals the big-endian integer of the data
modulo 0xFFFF (2**16 is 1 modulo 0xFFFF), which ``int.from_bytes`` computes in C.
"""

from __future__ import annotations


def ones_sum(data: bytes | bytearray) -> int:
    """One's-complement sum of ``data`` as 16-bit words (odd length padded), 0..0xFFFF."""
    value = int.from_bytes(data, "big")
    if len(data) & 1:
        value <<= 8  # the pad byte
    rest = value % 0xFFFF
    return rest if rest or not value else 0xFFFF


def fold(total: int) -> int:
    """A sum of one's-complement partial sums folded to 16 bits (end-around carry)."""
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def checksum(data: bytes) -> int:
    """The Internet checksum of ``data`` (what goes into IP, ICMP, TCP and UDP headers)."""
    return 0xFFFF - ones_sum(data)


def transport_checksum(pseudo: bytes, segment: bytes, *, udp: bool = False) -> int:
    """TCP/UDP checksum over a pseudo-header and the segment (checksum field zeroed).

    UDP sends a computed zero as 0xFFFF (zero means "no checksum").
    """
    value = checksum(pseudo + segment)
    return 0xFFFF if udp and value == 0 else value
