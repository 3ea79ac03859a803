"""Disk images read with The Sleuth Kit (pytsk3) and libewf (pyewf): see docs/facts.md."""
