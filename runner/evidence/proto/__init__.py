"""Wire-format parsers for application protocols, free of analyzer state."""
