"""One options object: every tunable with its default, its allowed range and its help text.

`Config` is frozen; build one with `Config(...)`, `Config.from_file(path)` or
`config.replace(**changes)`. Every value is checked when the object is made,
and a wrong value raises `ConfigError` with a message that names the fix.
"""
from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from . import _core
from .allow import AllowList
from .errors import ConfigError

#: Every category a removal can carry. `chrome` alone stands for all `chrome:*` kinds (their names and order are
#: the compiled core's, which numbers them: `chrome.rs`'s `KINDS`).
CHROME_KINDS: tuple[str, ...] = tuple(_core.CHROME_KINDS)
CATEGORIES = ("repeat", "near-repeat", "corpus-repeat", "duplicate-document") + tuple(
    f"chrome:{k}" for k in CHROME_KINDS
)


def _opt(default, help: str, lo=None, hi=None, choices=None):
    return field(default=default, metadata={"help": help, "lo": lo, "hi": hi, "choices": choices})


@dataclass(frozen=True)
class Config:
    """Every setting of a run. Field metadata holds the help text and the allowed range."""

    # within-document repeats
    min_repeat_words: int = _opt(
        4, "blocks with fewer words are not removed as repeats on their own (a subheading may recur)", 1, 1000
    )
    shingle_size: int = _opt(3, "words per shingle for near-repeat detection inside a document", 1, 10)
    min_near_words: int = _opt(8, "blocks with fewer words are never near-repeats", 2, 1000)
    near_threshold: float = _opt(0.8, "Jaccard similarity at which two blocks are near repeats", 0.1, 1.0)
    containment_threshold: float = _opt(
        0.8, "share of a block's shingles found in a longer block for it to count as contained", 0.1, 1.0
    )
    composite_coverage: float = _opt(
        0.5, "a block containing two or more other blocks that make up this share of it is removed, "
        "not its parts (a raw copy of the whole article)", 0.1, 1.0
    )
    # chrome
    chrome_threshold: float = _opt(0.5, "score at which a block is removed as chrome", 0.0, 1.0)
    # corpus-wide
    num_perm: int = _opt(128, "MinHash permutations for document signatures", 16, 1024)
    seed: int = _opt(1, "seed of the MinHash permutations (fixed: runs are reproducible)", 0, 2**31 - 1)
    doc_shingle_size: int = _opt(5, "words per shingle for document signatures", 1, 20)
    doc_threshold: float = _opt(0.8, "Jaccard similarity at which two documents are duplicates", 0.3, 1.0)
    doc_containment: float = _opt(
        0.85, "share of a shorter document's shingles found in a longer one for it to count as a truncated copy "
        "(1.0: Jaccard only)", 0.5, 1.0
    )
    doc_size_ratio: float = _opt(
        0.4, "a truncated copy must hold at least this share of the longer document's shingles "
        "(a brief quoting an article is not a copy of it)", 0.1, 1.0
    )
    doc_band_rows: int = _opt(
        3, "MinHash values per LSH band for documents (fewer rows: more candidate pairs, more recall)", 1, 64
    )
    doc_sign: str = _opt(
        "prose", "what a document signature covers: the prose blocks the cleaned copy keeps (sentences, not menus, "
        "template lines or repeated paragraphs), "
        "the cleaned body (after within-document removals), or the whole page", choices=("prose", "cleaned", "page")
    )
    doc_min_words: int = _opt(20, "with doc_sign=prose: a block signs the document if it has at least this many "
                              "words and ends like a sentence (or 3x as many words)", 1, 1000)
    doc_min_share: float = _opt(
        0.3, "with doc_sign=prose: a page whose prose holds less than this share of the words its cleaned copy "
        "keeps (a listing, product or forum page) signs with all its cleaned copy keeps and is a copy only at "
        "doc_page_threshold", 0.0, 1.0)
    doc_page_threshold: float = _opt(
        0.95, "Jaccard similarity at which two pages signed whole (see doc_min_share) are duplicates: pages of one "
        "template share most of their text whatever each is about", 0.3, 1.0)
    derived_containment: float = _opt(
        1.0, "derived copies (1.0: off): a short document whose estimated share of word 3-grams found in a longer "
        "one is at least this is a cut-and-paste or lightly reworded copy of it and goes (0.45 for corpora of short "
        "texts; costs a second signature per document)", 0.3, 1.0)
    derived_max_words: int = _opt(
        1000, "derived copies: only a document of at most this many words can be a derived copy", 20, 10**6)
    derived_band_rows: int = _opt(
        2, "derived copies: 3-gram MinHash values per LSH band (a copy shares few of a longer source's 3-grams: "
        "short bands)", 1, 64)
    derived_min_shared: int = _opt(
        40, "derived copies: the copy must share at least this many word 3-grams with its source (estimated), "
        "so that two short texts never merge on a stock phrase", 1, 10**6)
    corpus_max_words: int = _opt(
        30, "blocks with more words are never template text (template lines are short)", 1, 1000
    )
    corpus_inline_share: float = _opt(
        0.5, "a recurring block between two long paragraphs (inside the article) is template text only if at "
        "least this share of its source's documents has it", 0.0, 1.0
    )
    block_num_perm: int = _opt(8, "MinHash permutations of a short block, for near-variant template lines", 2, 64)
    block_band_rows: int = _opt(4, "MinHash values per band key of a short block", 1, 64)
    block_min_band_words: int = _opt(
        5, "short blocks with fewer words are matched across documents only verbatim (or with numbers folded)",
        2, 1000
    )
    min_corpus_docs: int = _opt(3, "a block recurring in at least this many documents may be template text", 2, 10**9)
    min_corpus_share: float = _opt(
        0.1, "...and in at least this share of the documents of its source", 0.0, 1.0
    )
    # policy and selection
    keep: str = _opt("first", "which duplicate document survives: the first by path, the longest, or none "
                     "(every member of a duplicate cluster is dropped)", choices=("first", "longest", "none"))
    only: tuple[str, ...] = _opt((), "remove only these categories (e.g. repeat, chrome, chrome:paywall)")
    skip: tuple[str, ...] = _opt((), "never remove these categories")
    encoding: str = _opt("", "decode every input with this codec instead of UTF-8 with a fallback")
    jobs: int = _opt(0, "worker processes (0: one per core); the output is the same for any number", 0, 1024)
    shuffle_partitions: int = _opt(
        0, "Dask engine: buckets the documents' band keys are shuffled into, one grouping task each (0: one per "
        "worker); the output is the same for any number", 0, 65536
    )
    # input formats
    include: tuple[str, ...] = _opt((), "read only files whose relative path or name matches one of these glob patterns")
    exclude: tuple[str, ...] = _opt((), "never read files whose relative path or name matches one of these glob patterns")
    text_field: str = _opt("text", "JSONL, JSON, Parquet, Arrow: the field of each record that holds its text; a dotted "
                           "path reaches a nested field (content.text), a dot inside a name is written \\.")
    id_field: str = _opt("", "JSONL, JSON, Parquet, Arrow: a field (or dotted path) naming each record in the report "
                         "(FILE#ID); empty: FILE#N, the record's line or row")
    html_favor: str = _opt("balanced", "HTML: trafilatura's preference, more text (recall) or less but surer (precision)",
                           choices=("balanced", "precision", "recall"))
    html_comments: bool = _opt(False, "HTML: keep the page's comment section in the extracted text")
    html_recover: bool = _opt(True, "HTML: put back the article sentences trafilatura left out between blocks it kept, "
                                    "where the whole page's text, cleaned as a dump, keeps it; read a page trafilatura "
                                    "finds nothing in, or only its layout tables' rows, as its whole text")
    extracted: bool = _opt(False, "the texts are extracted main text (trafilatura or readability output, a "
                                  "cleaned dataset), not whole pages: the whole-page detectors (the article's extent, "
                                  "menus, footers) do not run on them, as on HTML's extracted text")
    follow_symlinks: bool = _opt(False, "read files whose symlinks lead outside the input folder (else skipped with "
                                        "a warning)")
    max_doc_mb: int = _opt(
        64, "a text or HTML file, or a record file read whole (compressed JSONL, a JSON file), larger than this many "
        "megabytes once decompressed is skipped, not read past the limit (a small .gz may hold gigabytes, and a "
        "document takes about ten times its size in memory); so is a JSONL file holding a line that long", 1, 1 << 20
    )
    annotate: bool = _opt(False, "write every document back with its text unchanged and what would have been "
                          "removed beside it (a dedupe field in records, a NAME.dedupe.json file beside a text file)")
    allow: str = _opt("", "allow-list file: blocks a reviewer kept are never removed (format: docs/review-page.md)")

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            lo, hi, choices = f.metadata["lo"], f.metadata["hi"], f.metadata["choices"]
            if isinstance(f.default, (int, float)) and not isinstance(f.default, bool):
                value = self._number(f.name, value, f.default, lo, hi)
                object.__setattr__(self, f.name, value)
            elif isinstance(f.default, str) and not isinstance(value, str):
                raise ConfigError(f"{f.name} must be a string, not {value!r}")
            elif isinstance(f.default, tuple) and not isinstance(value, (str, list, tuple)):
                raise ConfigError(f"{f.name} must be a list of categories, not {value!r}")
            if choices and value not in choices:
                raise ConfigError(f"{f.name} must be one of {', '.join(choices)}, not {value!r}")
        for name in ("only", "skip"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = tuple(v.strip() for v in value.split(",") if v.strip())
            if any(not isinstance(v, str) for v in value):
                raise ConfigError(f"{name} must be a list of categories, not {list(value)!r}")
            value = tuple(value)
            object.__setattr__(self, name, value)
            for cat in value:
                if cat not in CATEGORIES and cat != "chrome":
                    hint = difflib.get_close_matches(cat, CATEGORIES + ("chrome",), n=1)
                    raise ConfigError(
                        f"{name}: unknown category {cat!r}"
                        + (f" (did you mean {hint[0]!r}?)" if hint else "")
                        + f"; known: {', '.join(('chrome',) + CATEGORIES)}"
                    )
        for rows, perms in (("doc_band_rows", "num_perm"), ("block_band_rows", "block_num_perm"),
                            ("derived_band_rows", "num_perm")):
            if getattr(self, rows) > getattr(self, perms):
                raise ConfigError(f"{rows} ({getattr(self, rows)}) must not exceed {perms} ({getattr(self, perms)})")
        self._check_formats()
        if self.encoding:
            import codecs

            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise ConfigError(f"encoding: unknown codec {self.encoding!r} (try utf-8 or latin-1)") from None
        # Read once here so a bad allow-list stops the run before anything is written.
        object.__setattr__(self, "_allow_list", AllowList.load(self.allow) if self.allow else AllowList())
        # Asked for every finding of every document: answered once per category here (--only/--skip are fixed).
        object.__setattr__(self, "_wanted", {c: self._selects(c) for c in CATEGORIES})
        # Per category --only/--skip let remove, the score below which a finding does not remove its block
        # (see decide.eligible): asked for every finding, so looked up rather than worked out.
        object.__setattr__(self, "score_floors", {
            c: self.chrome_threshold if c.startswith("chrome:") else -math.inf for c in CATEGORIES if self._wanted[c]
        })
        # decide.floors remembers here the floors of the other labels it meets (detectors, referenced files), and
        # those of whole label tuples (a site's pages name the same labels in the same order).
        object.__setattr__(self, "_label_floors", {})
        object.__setattr__(self, "_tuple_floors", {})

    def allowed(self, category: str, block_hash: int) -> str | None:
        """The allow-list entry ("FILE:LINE") that keeps a block with this normalized hash from a category."""
        return self._allow_list.match(category, block_hash)

    def _check_formats(self) -> None:
        for name in ("include", "exclude"):
            value = getattr(self, name)
            value = (value,) if isinstance(value, str) else tuple(value)
            if not all(isinstance(p, str) and p for p in value):
                raise ConfigError(f"{name}: every pattern must be a non-empty glob such as '*.html', not {value!r}")
            object.__setattr__(self, name, value)
        from .formats.fields import parse

        if not isinstance(self.text_field, str) or not self.text_field:
            raise ConfigError(f"text_field must be the name of a record's field (e.g. text), not {self.text_field!r}")
        if not isinstance(self.id_field, str):
            raise ConfigError(f"id_field must be the name of a record's field, or empty, not {self.id_field!r}")
        for name in ("text_field", "id_field"):
            if getattr(self, name):
                try:
                    parse(getattr(self, name))
                except ValueError as e:
                    raise ConfigError(f"{name}: {e}") from None
        for name in ("html_comments", "html_recover", "annotate", "extracted", "follow_symlinks"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be true or false, not {getattr(self, name)!r}")

    @staticmethod
    def _number(name: str, value, default, lo, hi):
        """A numeric setting checked against its range (and made a whole number if it must be one)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{name} must be a number, not {value!r}")
        if not math.isfinite(value):
            raise ConfigError(f"{name} must be between {lo} and {hi}, not {value!r}")
        if isinstance(default, int):
            if value != int(value):
                raise ConfigError(f"{name} must be a whole number, not {value!r}")
            # 3.0 from a JSON file is 3: later code uses it in range() and slices.
            value = int(value)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ConfigError(f"{name} must be between {lo} and {hi}, not {value!r}")
        return value

    def wants(self, category: str) -> bool:
        """Whether removals of this category are enabled by --only / --skip."""
        wanted = self._wanted.get(category)
        return self._selects(category) if wanted is None else wanted

    def _selects(self, category: str) -> bool:
        """`wants`, worked out from --only / --skip."""

        def hit(names):
            return any(category == n or (n == "chrome" and category.startswith("chrome:")) for n in names)

        if self.only and not hit(self.only):
            return False
        return not hit(self.skip)

    def replace(self, **changes: Any) -> "Config":
        """A copy with some values changed (checked again)."""
        return replace(self, **changes)

    def to_json(self) -> dict:
        """The configuration as written in summary.json (and readable back by --config)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_mapping(cls, data: dict, source: str = "config") -> "Config":
        """A Config from a dict; unknown keys are rejected by name."""
        known = {f.name: f for f in fields(cls)}
        kwargs = {}
        for key, value in data.items():
            name = key.replace("-", "_")
            if name not in known:
                hint = difflib.get_close_matches(name, known, n=1)
                raise ConfigError(
                    f"{source}: unknown setting {key!r}"
                    + (f" (did you mean {hint[0]!r}?)" if hint else "")
                    + f"; known settings: {', '.join(sorted(known))}"
                )
            if isinstance(known[name].default, tuple) and isinstance(value, list):
                value = tuple(value)
            kwargs[name] = value
        try:
            return cls(**kwargs)
        except ConfigError as e:
            raise ConfigError(f"{source}: {e}") from None

    @classmethod
    def from_file(cls, path: str | Path) -> "Config":
        """A Config from a TOML or JSON file."""
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise ConfigError(f"cannot read config file {path}: {e.strerror}") from None
        try:
            if path.suffix.lower() == ".json":
                data = json.loads(raw)
            else:
                try:
                    import tomllib
                except ModuleNotFoundError:  # Python 3.10
                    import tomli as tomllib
                data = tomllib.loads(raw.decode("utf-8"))
        except Exception as e:  # noqa: BLE001 - any parse error becomes a ConfigError naming the file
            raise ConfigError(f"{path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'TOML'}: {e}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a table of settings at the top level")
        return cls.from_mapping(data, source=str(path))

    @classmethod
    def help(cls) -> dict[str, str]:
        """Help text of every setting, with its default and range."""
        out = {}
        for f in fields(cls):
            m = f.metadata
            rng = f" ({m['lo']} to {m['hi']})" if m["lo"] is not None else ""
            rng = f" ({'|'.join(m['choices'])})" if m["choices"] else rng
            out[f.name] = f"{m['help']}; default {f.default!r}{rng}"
        return out
