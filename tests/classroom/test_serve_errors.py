"""`dflab class serve` on a port it cannot have: one line naming the port and the fix."""

from __future__ import annotations

import socket


def test_busy_port_is_one_line_with_the_fix(cli, local_class):
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))  # in the way whichever address serve binds by default
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("class", "serve", local_class, "--port", str(port))
    assert result.code == 2
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"error: port {port} on ")
    assert last.endswith(" is already in use (fix: stop what listens there "
                         "(another 'dflab class serve'?) or choose another port with --port N)")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
