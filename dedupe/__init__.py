"""dedupe: remove repeats, near-duplicates and site chrome from text corpora, and explain every removal."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

#: The public names and their modules, each imported when first asked for (PEP 562): importing the package
#: imports neither numpy nor the pipeline, so that the command line (`cli.py`) can set how numpy starts first.
_EXPORTS = {"Config": "config", "ConfigError": "errors", "DedupeError": "errors", "InputError": "errors",
            "UsageError": "errors", "clean": "pipeline", "clean_document": "pipeline", "clean_text": "api",
            "clean_records": "api", "TextResult": "api", "RecordResult": "api"}

__all__ = ["Config", "ConfigError", "DedupeError", "InputError", "UsageError", "clean", "clean_document",
           "clean_text", "clean_records", "TextResult", "RecordResult", "__version__"]

if TYPE_CHECKING:
    from .api import RecordResult, TextResult, clean_records, clean_text
    from .config import Config
    from .errors import ConfigError, DedupeError, InputError, UsageError
    from .pipeline import clean, clean_document


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'dedupe' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # (asked once: the next lookup finds it as a plain attribute)
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
