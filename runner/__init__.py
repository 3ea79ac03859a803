"""dflab: hands-on digital forensics labs (import package ``runner``)."""

__version__ = "0.1.0"
