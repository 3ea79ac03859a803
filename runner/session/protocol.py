"""The wire protocol between the in-lab ``lab`` client and the host's session service.

One request per connection: a JSON object on one line, answered by one JSON
object on one line. The client is a single stdlib-only file copied into lab
images, so this module is the service side's view of the same constants.
"""

from __future__ import annotations

PROTOCOL_VERSION = 1
MAX_REQUEST_BYTES = 512 * 1024
MAX_ANSWER_BYTES = 256 * 1024
OPS = ("hello", "tasks", "show", "answer", "submit", "hint", "score")
