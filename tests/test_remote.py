"""IN, OUT and --report as fsspec URLs: the same output, the same errors, the same guarantees as local folders.

Most tests use fsspec's memory:// filesystem. It lives in one process's
memory, so they run with --jobs 1 (worker processes would each see their own,
empty store; dedupe refuses that combination, and a test says so). The S3
tests run a real round trip through s3fs against moto's S3 server on
127.0.0.1, including a local process pool and a Dask LocalCluster of two
workers; they skip when s3fs or moto is not installed.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import logging
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

import dedupe
from dedupe import cli
from dedupe.config import Config
from helpers import REPORT_FILES, SAMPLES, mixed_corpus

fsspec = pytest.importorskip("fsspec", reason="URLs need fsspec: pip install -e '.[remote]'")
from fsspec.implementations.local import LocalFileSystem  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


# --- helpers ---------------------------------------------------------------------------------------------


def invoke(*args) -> object:
    """`dedupe ARGS...` in this process (stderr apart from stdout)."""
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps them apart
        runner = CliRunner()
    return runner.invoke(cli.main, [str(a) for a in args], catch_exceptions=False)


def upload(fs, local: Path, prefix: str) -> None:
    """Copy a local tree under prefix on fs, file by file."""
    for p in sorted(local.rglob("*")):
        if p.is_file():
            fs.pipe_file(f"{prefix}/{p.relative_to(local).as_posix()}", p.read_bytes())


def remote_tree(fs, prefix: str) -> dict[str, bytes]:
    """Every file under prefix on fs, by relative path."""
    top = prefix.rstrip("/") + "/"
    try:
        names = fs.find(prefix)
    except FileNotFoundError:
        return {}
    return {name[len(top):]: fs.cat_file(name) for name in sorted(names)}


def local_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def comparable(files: dict[str, bytes], report: str = "_report/summary.json") -> dict[str, bytes]:
    """A tree with summary.json stripped of what differs between runs and places (timings, folders, engine, jobs)."""
    out = dict(files)
    if report in out:
        summary = json.loads(out[report])
        summary.pop("timings")
        summary.pop("engine")
        summary["input"].pop("folder")
        summary["output"].pop("folder")
        summary["config"].pop("jobs")
        out[report] = json.dumps(summary, indent=2).encode()
    return out


def digest(files: dict[str, bytes]) -> dict[str, str]:
    return {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Samples plus 120 synthetic news pages over 10 sites with copies, an HTML page and gzipped JSONL."""
    return mixed_corpus(tmp_path_factory.mktemp("corpus") / "in", 120, 5)


@pytest.fixture(scope="module")
def local_out(corpus, tmp_path_factory) -> dict[str, bytes]:
    """The corpus cleaned from its local folder: what every remote run must write, byte for byte."""
    out = tmp_path_factory.mktemp("local") / "out"
    assert dedupe.clean(corpus, out, Config(jobs=1)).exit_code == 0
    return comparable(local_tree(out))


@pytest.fixture
def mem():
    """(memory filesystem, a fresh memory:// URL prefix); the prefix is deleted afterwards."""
    fs = fsspec.filesystem("memory")
    prefix = f"/t{uuid.uuid4().hex[:10]}"
    yield fs, prefix
    if fs.exists(prefix):
        fs.rm(prefix, recursive=True)


# --- memory:// -------------------------------------------------------------------------------------------


def test_a_corpus_cleaned_from_memory_is_byte_identical_to_the_same_corpus_cleaned_locally(corpus, local_out, mem):
    fs, p = mem
    upload(fs, corpus, f"{p}/in")
    before = digest(remote_tree(fs, f"{p}/in"))
    result = invoke("clean", f"memory://{p}/in", f"memory://{p}/out", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    assert f"report: memory://{p}/out/_report" in result.stdout
    assert comparable(remote_tree(fs, f"{p}/out")) == local_out
    assert digest(remote_tree(fs, f"{p}/in")) == before  # the input is never modified
    summary = json.loads(fs.cat_file(f"{p}/out/_report/summary.json"))
    assert summary["input"]["folder"] == f"memory://{p}/in" and summary["output"]["folder"] == f"memory://{p}/out"


def test_a_local_folder_cleaned_into_memory_and_back_gives_the_local_output(corpus, local_out, mem, tmp_path):
    fs, p = mem
    assert dedupe.clean(corpus, f"memory://{p}/out", Config(jobs=1)).exit_code == 0
    assert comparable(remote_tree(fs, f"{p}/out")) == local_out
    upload(fs, corpus, f"{p}/in")
    assert dedupe.clean(f"memory://{p}/in", tmp_path / "out", Config(jobs=1)).exit_code == 0
    assert comparable(local_tree(tmp_path / "out")) == local_out


def test_the_report_of_a_memory_run_can_go_to_a_local_folder(mem, tmp_path):
    fs, p = mem
    upload(fs, SAMPLES, f"{p}/in")
    result = invoke("clean", f"memory://{p}/in", f"memory://{p}/out", "--jobs", "1", "--report", tmp_path / "review")
    assert result.exit_code == 0, result.stderr
    assert sorted(q.name for q in (tmp_path / "review").iterdir()) == list(REPORT_FILES)
    assert not any(name.startswith("_report/") for name in remote_tree(fs, f"{p}/out"))
    assert json.loads((tmp_path / "review" / "summary.json").read_text())["output"]["folder"] == f"memory://{p}/out"


def test_a_cleaned_tree_in_memory_cleans_again_without_reading_its_report_or_marker(mem):
    fs, p = mem
    upload(fs, SAMPLES, f"{p}/in")
    first = dedupe.clean(f"memory://{p}/in", f"memory://{p}/out", Config(jobs=1))
    again = dedupe.clean(f"memory://{p}/out", f"memory://{p}/again", Config(jobs=1))
    assert again.files_read == first.files_written == 5
    assert again.by_category == {}  # cleaning twice removes nothing more


def test_force_replaces_a_previous_memory_output_and_keeps_files_dedupe_did_not_write(mem):
    fs, p = mem
    upload(fs, SAMPLES, f"{p}/in")
    fs.pipe_file(f"{p}/in/extra/note.txt", b"A short note that only the first run sees.\n")
    assert dedupe.clean(f"memory://{p}/in", f"memory://{p}/out", Config(jobs=1)).exit_code == 0
    assert fs.exists(f"{p}/out/extra/note.txt")
    fs.pipe_file(f"{p}/out/mine.txt", b"the user's own file\n")
    fs.rm_file(f"{p}/in/extra/note.txt")

    refused = invoke("clean", f"memory://{p}/in", f"memory://{p}/out", "--jobs", "1")
    assert refused.exit_code == 2
    assert f"output folder memory://{p}/out is not empty; use --force" in refused.stderr

    assert invoke("clean", f"memory://{p}/in", f"memory://{p}/out", "--jobs", "1", "--force").exit_code == 0
    assert dedupe.clean(f"memory://{p}/in", f"memory://{p}/fresh", Config(jobs=1)).exit_code == 0
    out = remote_tree(fs, f"{p}/out")
    assert out.pop("mine.txt") == b"the user's own file\n"  # --force deletes only what dedupe wrote
    assert comparable(out) == comparable(remote_tree(fs, f"{p}/fresh"))


def _scenarios():
    """Bad command lines, each as (name, builder): the builder lays out a tree and returns the arguments."""

    def missing_in(root, put):
        return [f"{root}/nope", f"{root}/out"]

    def in_is_a_file(root, put):
        put("file.txt", b"text\n")
        return [f"{root}/file.txt", f"{root}/out"]

    def out_inside_in(root, put):
        put("in/a.txt", b"text\n")
        return [f"{root}/in", f"{root}/in/out"]

    def in_inside_out(root, put):
        put("out/in/a.txt", b"text\n")
        return [f"{root}/out/in", f"{root}/out"]

    def out_is_in(root, put):
        put("in/a.txt", b"text\n")
        return [f"{root}/in", f"{root}/in"]

    def report_is_out(root, put):
        put("in/a.txt", b"text\n")
        return [f"{root}/in", f"{root}/out", "--report", f"{root}/out"]

    def report_inside_in(root, put):
        put("in/a.txt", b"text\n")
        return [f"{root}/in", f"{root}/out", "--report", f"{root}/in/review"]

    def out_not_empty(root, put):
        put("in/a.txt", b"text\n")
        put("out/keep.txt", b"mine\n")
        return [f"{root}/in", f"{root}/out"]

    def out_not_ours_with_force(root, put):
        put("in/a.txt", b"text\n")
        put("out/keep.txt", b"mine\n")
        return [f"{root}/in", f"{root}/out", "--force"]

    def out_is_a_file(root, put):
        put("in/a.txt", b"text\n")
        put("out", b"a file\n")
        return [f"{root}/in", f"{root}/out"]

    def in_has_its_own_report_folder(root, put):
        put("in/_report/notes.txt", b"not a dedupe report\n")
        return [f"{root}/in", f"{root}/out"]

    return [(f.__name__, f) for f in (missing_in, in_is_a_file, out_inside_in, in_inside_out, out_is_in, report_is_out,
                                      report_inside_in, out_not_empty, out_not_ours_with_force, out_is_a_file,
                                      in_has_its_own_report_folder)]


@pytest.mark.parametrize("name,scenario", _scenarios(), ids=[n for n, _ in _scenarios()])
def test_bad_paths_at_a_url_get_the_local_error_and_nothing_is_written(name, scenario, mem, tmp_path):
    fs, p = mem

    def put_local(rel, data):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)

    local = invoke("clean", *scenario(str(tmp_path), put_local), "--jobs", "1")
    remote_args = scenario(f"memory://{p}", lambda rel, data: fs.pipe_file(f"{p}/{rel}", data))
    before = remote_tree(fs, p)
    remote = invoke("clean", *remote_args, "--jobs", "1")
    assert local.exit_code == remote.exit_code == 2
    assert "Error: " in local.stderr
    assert remote.stderr.replace(f"memory://{p}", "ROOT") == local.stderr.replace(str(tmp_path), "ROOT")
    assert remote_tree(fs, p) == before


def test_an_unknown_protocol_is_refused_and_nothing_is_written(tmp_path):
    result = invoke("clean", "nosuch://bucket/in", tmp_path / "out")
    assert result.exit_code == 2
    assert "IN nosuch://bucket/in: unknown filesystem protocol 'nosuch'; give a local path or a URL fsspec knows" \
        in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(importlib.util.find_spec("gcsfs") is not None, reason="gcsfs is installed: gs:// would open")
def test_a_url_whose_package_is_missing_names_the_package_to_install(tmp_path):
    result = invoke("clean", SAMPLES, "gs://bucket/out")
    assert result.exit_code == 2
    assert "OUT gs://bucket/out needs a package that is not installed" in result.stderr
    assert "pip install gcsfs" in result.stderr


def test_an_s3_url_without_s3fs_names_the_package_to_install(tmp_path, monkeypatch):
    registry = importlib.import_module("fsspec.registry")
    monkeypatch.delitem(registry._registry, "s3", raising=False)  # forget an s3fs imported by another test
    monkeypatch.setitem(sys.modules, "s3fs", None)  # `import s3fs` now raises ImportError
    result = invoke("clean", "s3://bucket/in", tmp_path / "out")
    assert result.exit_code == 2
    assert "IN s3://bucket/in needs a package that is not installed" in result.stderr
    assert "pip install s3fs" in result.stderr
    assert not (tmp_path / "out").exists()


def test_without_fsspec_a_url_names_the_remote_extra(tmp_path, monkeypatch):
    for name in ("fsspec", "fsspec.core", "fsspec.registry"):
        monkeypatch.setitem(sys.modules, name, None)  # `import fsspec` now raises ImportError
    result = invoke("clean", "s3://bucket/in", tmp_path / "out")
    assert result.exit_code == 2
    assert "IN s3://bucket/in is a URL; reading and writing URLs needs fsspec, which is not installed: " \
           "pip install 'dedupe[remote]'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_memory_urls_are_refused_with_worker_processes(mem):
    fs, p = mem
    upload(fs, SAMPLES, f"{p}/in")
    result = invoke("clean", f"memory://{p}/in", f"memory://{p}/out", "--jobs", "2")
    assert result.exit_code == 2
    assert f"memory://{p}/in lives in this process's memory, which worker processes do not share; " \
           f"run with --jobs 1" in result.stderr
    assert not fs.exists(f"{p}/out")


def test_a_file_url_is_a_local_path(corpus, local_out, tmp_path):
    out = tmp_path / "out"
    result = invoke("clean", f"file://{corpus}", f"file://{out}", "--jobs", "1", "-q")
    assert result.exit_code == 0, result.stderr
    assert comparable(local_tree(out)) == local_out


# --- atomic writes on a filesystem that is not an object store -------------------------------------------


class RenamingFS(LocalFileSystem):
    """This machine's files under the protocol renaming://: an fsspec filesystem with real folders and renames."""

    protocol = ("renaming",)

    @classmethod
    def _strip_protocol(cls, path):
        return super()._strip_protocol(str(path).removeprefix("renaming://"))


@pytest.fixture
def renaming():
    fsspec.register_implementation("renaming", RenamingFS, clobber=True)
    yield RenamingFS
    importlib.import_module("fsspec.registry")._registry.pop("renaming", None)


def test_on_a_filesystem_with_folders_a_write_goes_to_a_temporary_name_then_is_renamed(renaming, tmp_path, monkeypatch):
    from dedupe.fs import place

    target = place(f"renaming://{tmp_path}/out", "OUT") / "a/b.txt"
    assert not target.object_store
    target.write_atomic(b"old\n")
    renamed = []
    real_mv = renaming.mv
    monkeypatch.setattr(renaming, "mv", lambda self, a, b, **kw: (renamed.append((a, b)), real_mv(self, a, b, **kw)))
    target.write_atomic(b"new\n")
    assert (tmp_path / "out/a/b.txt").read_bytes() == b"new\n"
    [(tmp, final)] = renamed
    assert Path(tmp).parent == tmp_path / "out/a" and Path(tmp).name.startswith(".b.txt.") and final == target.path

    def broken(self, path, value, **kw):  # the connection drops half-way through the upload
        Path(path).write_bytes(value[:2])
        raise ConnectionError("connection reset")

    monkeypatch.setattr(renaming, "pipe_file", broken)
    with pytest.raises(OSError, match="ConnectionError: connection reset"):
        target.write_atomic(b"newer\n")
    assert (tmp_path / "out/a/b.txt").read_bytes() == b"new\n"  # the old file, whole
    assert sorted(q.name for q in (tmp_path / "out/a").iterdir()) == ["b.txt"]  # no temporary file left


def test_a_run_on_a_filesystem_with_folders_gives_the_local_output(corpus, local_out, renaming, tmp_path):
    result = invoke("clean", f"renaming://{corpus}", f"renaming://{tmp_path}/out", "--jobs", "2", "-q")
    assert result.exit_code == 0, result.stderr
    assert comparable(local_tree(tmp_path / "out")) == local_out
    assert not [q for q in (tmp_path / "out").rglob("*.tmp")]


# --- S3, through s3fs, against moto's server on 127.0.0.1 ------------------------------------------------


@pytest.fixture(scope="module")
def s3():
    """An s3fs filesystem on a moto S3 server on this machine, with a bucket 'corpus'; env points s3fs at it."""
    if importlib.util.find_spec("s3fs") is None:
        pytest.skip("the S3 tests need s3fs: pip install -e '.[test]'")
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as e:
        pytest.skip(f"the S3 tests need moto's server (pip install -e '.[test]'): {e}")
    import s3fs

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    mp = pytest.MonkeyPatch()
    # Read by botocore in this process and in every worker process started after this (pool, LocalCluster).
    for key, value in {"AWS_ENDPOINT_URL": f"http://{host}:{port}", "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        mp.setenv(key, value)
    mp.delenv("AWS_PROFILE", raising=False)
    s3fs.S3FileSystem.clear_instance_cache()
    fs = fsspec.filesystem("s3")
    fs.mkdir("corpus")
    try:
        yield fs
    finally:
        s3fs.S3FileSystem.clear_instance_cache()
        mp.undo()
        server.stop()


@pytest.fixture(scope="module")
def s3_corpus(s3, corpus) -> str:
    upload(s3, corpus, "corpus/in")
    return "s3://corpus/in"


def test_an_s3_round_trip_with_a_process_pool_is_byte_identical_to_the_local_run(s3, s3_corpus, corpus, local_out):
    before = digest(remote_tree(s3, "corpus/in"))
    result = invoke("clean", s3_corpus, "s3://corpus/pool", "--jobs", "2", "-q")
    assert result.exit_code == 0, result.stderr
    s3.invalidate_cache()
    assert comparable(remote_tree(s3, "corpus/pool")) == local_out
    assert digest(remote_tree(s3, "corpus/in")) == before


def test_an_s3_run_on_a_local_dask_cluster_of_two_workers_is_byte_identical(s3, s3_corpus, local_out):
    pytest.importorskip("distributed", reason="--scheduler needs the dask extra: pip install -e '.[dask]'")
    result = invoke("clean", s3_corpus, "s3://corpus/dask", "--scheduler", "local", "--jobs", "2", "-q")
    assert result.exit_code == 0, result.stderr
    s3.invalidate_cache()
    out = remote_tree(s3, "corpus/dask")
    assert json.loads(out["_report/summary.json"])["engine"] == {"name": "dask", "scheduler": "local", "workers": 2}
    assert comparable(out) == local_out
    assert not [name for name in out if name.startswith((".dedupe-staging", ".dedupe-scratch"))]


def test_a_dask_run_on_s3_that_cannot_finish_leaves_nothing_in_out(s3, s3_corpus, tmp_path):
    distributed = pytest.importorskip("distributed", reason="--scheduler needs the dask extra")
    import dask
    from test_dask import KillOnce, two_worker_cluster

    # No worker death allowed, and a worker dies in pass 2 after the other has staged cleaned copies in OUT.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with two_worker_cluster() as c:
            with distributed.Client(c, set_as_default=False) as client:
                client.register_plugin(KillOnce("clean", str(tmp_path / "killed")), name="kill-once")
                result = invoke("clean", s3_corpus, "s3://corpus/failed", "--scheduler", c.scheduler_address)
    assert (tmp_path / "killed").read_text().split("-")[2] == "clean"  # a worker did die, in pass 2
    assert result.exit_code == 3
    assert "could not finish pass 2 (cleaning and writing)" in result.stderr
    assert "nothing was written to OUT" in result.stderr
    s3.invalidate_cache()
    assert remote_tree(s3, "corpus/failed") == {}  # no staged copy, no scratch, no marker, no report


def test_dask_workers_that_cannot_open_the_url_are_refused_before_anything_is_written(s3, s3_corpus, monkeypatch):
    distributed = pytest.importorskip("distributed", reason="--scheduler needs the dask extra")
    import dedupe.engine.dask as engine

    # A worker without s3fs or credentials answers False; these are local workers pretending to be such.
    monkeypatch.setattr(engine, "_sees_all", lambda folders: [False] * len(folders))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as c:
        result = invoke("clean", s3_corpus, "s3://corpus/refused", "--scheduler", c.scheduler_address)
    assert result.exit_code == 2
    assert f"cannot open {s3_corpus}; every worker needs fsspec and the URL's package" in result.stderr
    s3.invalidate_cache()
    assert not s3.exists("corpus/refused")


def test_a_missing_bucket_is_named_and_nothing_is_written(s3, s3_corpus, tmp_path):
    missing_in = invoke("clean", "s3://no-such-bucket/in", tmp_path / "out")
    assert missing_in.exit_code == 2
    assert "input folder s3://no-such-bucket/in does not exist; check the path" in missing_in.stderr
    missing_out = invoke("clean", s3_corpus, "s3://no-such-bucket/out")
    assert missing_out.exit_code == 2
    assert "cannot create output folder s3://no-such-bucket/out: s3://no-such-bucket does not exist; " \
           "create it first" in missing_out.stderr
    assert not (tmp_path / "out").exists()


def test_a_worker_sees_a_url_when_it_can_open_it_and_its_bucket_exists(s3, s3_corpus, tmp_path):
    from dedupe.fs import visible

    assert visible(s3_corpus)
    assert visible("s3://corpus/not-written-yet/.dedupe-staging")  # a prefix exists once objects are put there
    assert not visible("s3://no-such-bucket/out")
    assert not visible(s3_corpus + "/samples/000_4cdd96cd85059c34.txt")  # a file, not a folder
    assert visible(str(tmp_path)) and not visible(str(tmp_path / "nope"))
