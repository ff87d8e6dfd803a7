"""Where IN, OUT and the report live: a local folder (a pathlib.Path, as always) or an fsspec URL.

`dedupe clean s3://bucket/in s3://bucket/out` reads and writes through fsspec:
s3://, gs://, az://, memory://... any protocol whose package is installed. A
local path (or a file:// URL) stays a `Path` and takes exactly the code path it
always took; a URL becomes a `RemotePath`, and the few functions that touch
files (the listing, reading bytes, atomic writes, the Dask engine's staging)
hand it to the methods here. The run-level rules for URLs (the checks before a
run, --force, the report) are in `dedupe.remote`.

The guarantees are the local ones:

- the input is only ever listed and read;
- every write is atomic: on an object store (S3, GCS, Azure, memory) one PUT of
  the whole object is, since a reader sees the old object or the new one (a
  multipart upload appears only once it completes); on other filesystems
  (sftp, hdfs...) the bytes go to a temporary name that is then renamed;
- names come back sorted, so a run does not depend on the order a store lists in.

fsspec is optional (`pip install 'dedupe[remote]'`) and each protocol needs its
own package (s3fs, gcsfs, adlfs). Credentials and options come from where those
packages look: AWS_* variables or ~/.aws for s3fs, and fsspec's own
FSSPEC_<PROTOCOL>_<OPTION> variables (FSSPEC_S3_ENDPOINT_URL=...) or config files.
"""
from __future__ import annotations

import os
import posixpath
import re
import shutil
import uuid
from pathlib import Path

from .errors import InputError, UsageError

#: A URL's scheme, as fsspec reads it: "s3://...", or a chain such as "simplecache::s3://...".
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)(://|::)")
#: Schemes that name this machine's files: they become a Path and keep the local code path.
_LOCAL_SCHEMES = ("file", "local")
#: Protocols where one PUT of a whole object is atomic and folders are only key prefixes (they need no
#: creating and vanish with their last object). Everywhere else a write goes to a temporary name first.
OBJECT_STORES = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "oci", "oss", "memory"})
#: Protocols whose files live in one process's memory: worker processes would each see their own, empty one.
PROCESS_LOCAL = frozenset({"memory"})


def is_url(value) -> bool:
    """Whether a command-line value is a URL (s3://bucket/prefix) rather than a local path."""
    return isinstance(value, str) and _SCHEME.match(value) is not None


def place(value, what: str):
    """IN, OUT or --report as given: a Path for a local path or file:// URL, a RemotePath for any other URL.

    `what` names the argument in errors. Raises UsageError for a URL whose
    protocol fsspec does not know, or whose package is not installed.
    """
    if isinstance(value, (Path, RemotePath)):
        return value
    text = os.fspath(value)
    m = _SCHEME.match(text) if isinstance(text, str) else None
    if m is None:
        return Path(text)
    if m.group(1).lower() in _LOCAL_SCHEMES and m.group(2) == "://":
        return Path(text[m.end():] or "/")
    return RemotePath.open(text, what)


def child(location, name: str):
    """location / name, for a Path, a RemotePath or a URL as the command line gave it."""
    if isinstance(location, str):
        return location.rstrip("/") + "/" + name if not location.endswith("://") else location + name
    return location / name


class RemotePath:
    """A file or folder named by an fsspec URL: `root`, the URL of IN, OUT or the report, and `rel` below it.

    It pickles as its URL: each process (a pool worker, a Dask worker) opens the
    filesystem again with its own connections and credentials. Paths below a
    root share the root's open filesystem.
    """

    __slots__ = ("root", "rel", "_open")

    def __init__(self, root: str, rel: str = "", _open: tuple | None = None):
        self.root = root
        self.rel = rel
        self._open = _open

    @classmethod
    def open(cls, url: str, what: str) -> "RemotePath":
        """The RemotePath of a URL the user gave, once its filesystem opens (UsageError saying why not)."""
        try:
            import fsspec.core
            from fsspec.registry import known_implementations
        except ImportError:
            raise UsageError(
                f"{what} {url} is a URL; reading and writing URLs needs fsspec, which is not installed: "
                f"pip install 'dedupe[remote]' (and the package for the URL's protocol, such as s3fs)"
            ) from None
        scheme = _SCHEME.match(url).group(1).lower()
        try:
            fs, path = fsspec.core.url_to_fs(url)
        except ValueError as e:
            if "not known" not in str(e).lower():
                raise UsageError(f"{what} {url} cannot be opened: {e}") from None
            known = ", ".join(f"{p}://" for p in ("s3", "gs", "az", "memory", "sftp", "hdfs"))
            raise UsageError(
                f"{what} {url}: unknown filesystem protocol {scheme!r}; give a local path or a URL fsspec "
                f"knows ({known}...)"
            ) from None
        except ImportError as e:
            package = known_implementations.get(scheme, {}).get("class", "").split(".")[0]
            fix = f"pip install {package}" if package else "install the package fsspec names"
            raise UsageError(f"{what} {url} needs a package that is not installed ({e}): {fix}") from None
        except Exception as e:  # noqa: BLE001 - options or credentials the filesystem refuses
            raise UsageError(f"{what} {url} cannot be opened: {type(e).__name__}: {e}") from None
        # fsspec keeps listings between calls; another process (a worker, an earlier run) may have written since.
        fs.invalidate_cache()
        root = url if url.endswith("://") else url.rstrip("/")
        return cls(root, "", (os.getpid(), fs, path))

    # --- naming ------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The full URL of this file or folder."""
        if not self.rel:
            return self.root
        return self.root + ("" if self.root.endswith("/") else "/") + self.rel

    def _opened(self) -> tuple:
        """(pid, filesystem, path of root): opened again in a forked worker, which needs its own connections."""
        if self._open is None or self._open[0] != os.getpid():
            import fsspec.core

            self._open = (os.getpid(), *fsspec.core.url_to_fs(self.root))
        return self._open

    @property
    def fs(self):
        """The fsspec filesystem (fsspec keeps one instance per protocol and options)."""
        return self._opened()[1]

    @property
    def path(self) -> str:
        """The path the filesystem knows this file by (the URL without its protocol)."""
        top = self._opened()[2]
        return posixpath.join(top, self.rel) if self.rel else top

    @property
    def name(self) -> str:
        return posixpath.basename(self.path.rstrip("/"))

    @property
    def object_store(self) -> bool:
        """Whether one PUT of a whole object is atomic here (and folders are only prefixes)."""
        return bool(_protocols(self.fs) & OBJECT_STORES)

    @property
    def process_local(self) -> bool:
        """Whether the files live in this process only (memory://), invisible to worker processes."""
        return bool(_protocols(self.fs) & PROCESS_LOCAL)

    def __truediv__(self, name: str) -> "RemotePath":
        return RemotePath(self.root, posixpath.join(self.rel, name) if self.rel else name, self._opened())

    def resolve(self) -> "RemotePath":
        """A URL is absolute already (the pipeline resolves paths it hands to workers)."""
        return self

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"RemotePath({self.url!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, RemotePath) and (self.root, self.rel) == (other.root, other.rel)

    def __hash__(self) -> int:
        return hash((self.root, self.rel))

    def __reduce__(self):
        return RemotePath, (self.root, self.rel)

    # --- reading -----------------------------------------------------------------------------------------

    def read_bytes(self) -> bytes:
        return self.fs.cat_file(self.path)

    def exists(self) -> bool:
        return self.fs.exists(self.path)

    def is_dir(self) -> bool:
        return self.fs.isdir(self.path)

    def is_file(self) -> bool:
        return self.fs.isfile(self.path)

    def has_entries(self) -> bool:
        """Whether the folder holds anything (a missing folder holds nothing)."""
        try:
            return bool(self.fs.ls(self.path, detail=False))
        except FileNotFoundError:
            return False

    def files(self) -> list[str]:
        """Relative POSIX paths of every file under this folder, sorted."""
        top = self.path.rstrip("/") + "/"
        found = self.fs.find(self.path, detail=True)
        return sorted(
            name[len(top):] for name, info in found.items()
            if info.get("type") == "file" and name.startswith(top)
        )

    # --- writing -----------------------------------------------------------------------------------------

    def write_atomic(self, data: bytes) -> None:
        """Write bytes so that a reader sees either the old file or the whole new one."""
        self._atomically(lambda fs, target: fs.pipe_file(target, data))

    def put_atomic(self, local: Path) -> None:
        """Upload a local file the same way (S3 uploads a big one in parts, and it appears once complete)."""
        self._atomically(lambda fs, target: fs.put_file(str(local), target))

    def _atomically(self, write) -> None:
        fs, path = self.fs, self.path
        try:
            if self.object_store:
                write(fs, path)
                return
            parent = posixpath.dirname(path)
            fs.makedirs(parent, exist_ok=True)
            tmp = posixpath.join(parent, f".{posixpath.basename(path)}.{uuid.uuid4().hex[:12]}.tmp")
            try:
                write(fs, tmp)
                fs.mv(tmp, path)
            except BaseException:
                try:
                    fs.rm_file(tmp)
                except Exception:  # noqa: BLE001 - the first error is the one to report
                    pass
                raise
        except Exception as e:  # noqa: BLE001 - the CLI reports an OSError as "cannot write FILE: WHY"
            if isinstance(e, OSError) and e.strerror:
                if e.filename is None:
                    e.filename = self.url
                raise
            raise OSError(None, f"{type(e).__name__}: {e}", self.url) from e

    def unlink(self, missing_ok: bool = False) -> None:
        try:
            self.fs.rm_file(self.path)
        except FileNotFoundError:
            if not missing_ok:
                raise


def read_input(src: RemotePath, rel: str) -> bytes:
    """The bytes of one input object, or an InputError saying why not (the run goes on without it)."""
    try:
        return (src / rel).read_bytes()
    except FileNotFoundError:
        raise InputError(rel, "cannot read: it is gone (deleted since the folder was listed?); skipped") from None
    except PermissionError:
        raise InputError(rel, "permission denied; skipped (check the credentials' read access to it)") from None
    except Exception as e:  # noqa: BLE001 - one object the store will not give is one file skipped
        raise InputError(rel, f"cannot read: {type(e).__name__}: {e}; skipped") from None


def _protocols(fs) -> frozenset:
    proto = fs.protocol
    return frozenset((proto,) if isinstance(proto, str) else proto)


# --- what the Dask engine needs for its staging folder, for a Path or a RemotePath ----------------------


def visible(location: str) -> bool:
    """Whether this process sees a folder: a local one must exist; for a URL, it or its nearest ancestor must.

    Run on every Dask worker before a run: a worker without the URL's package,
    credentials or endpoint settings answers False, as a worker without the
    shared mount does for a local path.
    """
    if not is_url(location):
        return os.path.isdir(location)
    try:
        import fsspec.core

        fs, path = fsspec.core.url_to_fs(location)
        while path.strip("/"):
            if fs.isdir(path):
                return True
            if fs.exists(path):
                return False  # a file where a folder should be
            path = fs._parent(path)
        return bool(path) and fs.isdir(path)  # the filesystem's root ('/'); an object store has none
    except Exception:  # noqa: BLE001 - whatever the reason, this worker cannot use the URL
        return False


def make_folder(folder) -> None:
    """Create a folder (on an object store there is nothing to create: prefixes exist with their objects)."""
    if isinstance(folder, RemotePath):
        if not folder.object_store:
            folder.fs.makedirs(folder.path, exist_ok=True)
        return
    folder.mkdir(parents=True)


def remove_tree(folder) -> None:
    """Delete a folder and everything in it, if it exists."""
    if isinstance(folder, RemotePath):
        try:
            if folder.exists():
                folder.fs.rm(folder.path, recursive=True)
        except FileNotFoundError:
            pass
        return
    shutil.rmtree(folder, ignore_errors=True)


def move_files(src, dst, rels: list[str]) -> None:
    """Move src/REL to dst/REL for every REL, each replacing what was there (a rename, or a server-side copy)."""
    if isinstance(src, RemotePath):
        if rels:
            src.fs.invalidate_cache()  # the workers wrote these objects; this process may hold an older listing
            # One call for the lot: s3fs and gcsfs copy concurrently, then delete in batches of a thousand.
            src.fs.mv([(src / r).path for r in rels], [(dst / r).path for r in rels])
        return
    made: set[str] = set()  # (folders made or found once, not once a file: 10,000 files moved in 0.2 s before)
    for rel in rels:
        folder = os.path.dirname(rel)
        if folder not in made:
            os.makedirs(os.path.join(dst, folder), exist_ok=True)
            made.add(folder)
        os.replace(os.path.join(src, rel), os.path.join(dst, rel))
