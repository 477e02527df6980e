"""Tender import: pure parsers from bytes to records, MVI detection, and the loader."""
