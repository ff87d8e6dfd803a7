"""dedupe: remove repeats, near-duplicates and site chrome from text corpora, and explain every removal."""
from __future__ import annotations

__version__ = "0.1.0"

from .config import Config  # noqa: E402
from .errors import ConfigError, DedupeError, InputError, UsageError  # noqa: E402
from .pipeline import clean, clean_document  # noqa: E402
from .api import RecordResult, TextResult, clean_records, clean_text  # noqa: E402

__all__ = ["Config", "ConfigError", "DedupeError", "InputError", "UsageError", "clean", "clean_document",
           "clean_text", "clean_records", "TextResult", "RecordResult", "__version__"]
