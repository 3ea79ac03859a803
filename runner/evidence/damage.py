"""What damaged input raises, apart from bugs (see ``analyzers.base`` and ``handover``).

A module of its own, importing nothing, so the protocol decoders in ``proto`` can raise
it without importing the analyzers package.
"""

from __future__ import annotations


class Damaged(Exception):
    """The input an analyzer was reading is damaged: the pass warns and carries on."""
