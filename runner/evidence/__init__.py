"""Evidence: read captures, analyse them in one pass, and answer fact queries.

Public entry points:

* :func:`runner.evidence.reader.iter_packets` - frames of a pcap/pcapng file, numbered
  like Wireshark.
* :func:`runner.evidence.engine.analyze` - every (or some) analyzer over a capture,
  returning a :class:`~runner.evidence.engine.FactSet` of tables.
* :func:`runner.evidence.query.check_query` / :func:`~runner.evidence.query.resolve_query`
  - expected answers computed from the evidence, with provenance.

Tables, fields and query syntax: ``docs/facts.md``.
"""
