"""Every built-in generator; the registry imports this list (a test checks none is missing)."""

from __future__ import annotations

from runner.generate.generators.acquisition_log import AcquisitionLogGenerator
from runner.generate.generators.browser_history import BrowserHistoryGenerator
from runner.generate.generators.capture import CaptureGenerator
from runner.generate.generators.disk_image import DiskImageGenerator
from runner.generate.generators.document import DocumentGenerator
from runner.generate.generators.ewf_image import EwfImageGenerator
from runner.generate.generators.firefox_history import FirefoxHistoryGenerator
from runner.generate.generators.ledger import LedgerGenerator
from runner.generate.generators.mailbox import MailboxGenerator
from runner.generate.generators.phone import PhoneGenerator
from runner.generate.generators.photo import PhotoGenerator
from runner.generate.generators.profiles import ProfileGenerator
from runner.generate.generators.text import TextGenerator
from runner.generate.generators.usb_image import UsbImageGenerator
from runner.generate.generators.wordlist import WordlistGenerator
from runner.generate.generators.working_copy import WorkingCopyGenerator
from runner.generate.registry import Generator

ALL: list[Generator] = [CaptureGenerator(), TextGenerator(), WordlistGenerator(),
                        UsbImageGenerator(), PhotoGenerator(), DocumentGenerator(),
                        DiskImageGenerator(), MailboxGenerator(), PhoneGenerator(),
                        BrowserHistoryGenerator(), EwfImageGenerator(),
                        AcquisitionLogGenerator(), WorkingCopyGenerator(), LedgerGenerator(),
                        ProfileGenerator(), FirefoxHistoryGenerator()]
