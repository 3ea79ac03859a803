"""Readers shared by the non-capture analyzers (mail, pictures, documents, SQLite,
Windows logs and hives): each wraps the field's library and turns its output into
plain values (times as UTC ISO 8601, sizes in bytes) for the fact tables."""
