"""Every built-in generator; the registry imports this list (a test checks none is missing)."""

from __future__ import annotations

from runner.generate.generators.capture import CaptureGenerator
from runner.generate.generators.text import TextGenerator
from runner.generate.generators.wordlist import WordlistGenerator
from runner.generate.registry import Generator

ALL: list[Generator] = [CaptureGenerator(), TextGenerator(), WordlistGenerator()]
