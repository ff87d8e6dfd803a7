"""The band-key shuffle: on a Dask cluster the band keys are grouped where pass 1 made them, not on the driver.

The grouping is split in three pure functions (each pass-1 batch buckets its
band keys; one task per bucket sorts it across batches; the driver maps the
pairs to pass-1 indices), and together they must give exactly the candidate
pairs the local run's `candidate_pairs` gives, whatever the batching and the
number of buckets. On a LocalCluster the driver must then never compute or
group a band key, and the run must still match the local one byte for byte,
even when a worker dies in the middle of the shuffle.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import synthetic_corpus

import dedupe
from dedupe.config import Config
from dedupe.detect import corpus as corpus_step
from dedupe.errors import ConfigError
from dedupe.detect.corpus import (band_buckets, bucket_pairs, candidate_pairs, count_source_keys, key_buckets,
                                  merge_keys, merge_pairs)

ROOT = Path(__file__).resolve().parent.parent
#: Every run here: 3 buckets on the cluster (the local run ignores the setting, and summary.json shows it).
CONFIG = Config(jobs=1, shuffle_partitions=3)


def shuffled_pairs(sigs: np.ndarray, n_shingles: np.ndarray, rows: int, cuts: list[int], parts: int) -> np.ndarray:
    """The candidate pairs as the Dask engine finds them: batches cut at `cuts`, band keys in `parts` buckets."""
    bounds = [0, *cuts, len(sigs)]
    batches = [band_buckets(sigs[a:b], n_shingles[a:b], rows, parts) for a, b in zip(bounds, bounds[1:])]
    found = [bucket_pairs([buckets[p] for buckets in batches]) for p in range(parts)]
    return merge_pairs(found, np.array(bounds[:-1]))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """400 synthetic news pages over 10 sites, 15% of them edited copies (benchmarks/make_corpus.py)."""
    return synthetic_corpus(tmp_path_factory.mktemp("shuffle") / "in", 400, 5)


class Spy:
    """Keeps what the corpus step worked on: confirm_pairs' candidate pairs and signatures, frequent_keys' inputs."""

    def __init__(self, monkeypatch):
        self.confirmed, self.counted = [], []
        confirm, count = corpus_step.confirm_pairs, corpus_step.frequent_keys

        def confirm_pairs(pairs, sigs, n_shingles, config, *rest):
            self.confirmed.append((pairs.copy(), sigs.copy(), n_shingles.copy()))
            return confirm(pairs, sigs, n_shingles, config, *rest)

        def frequent_keys(*args):
            kept = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)  # it mixes the keys in place
            found = count(*args)
            self.counted.append((kept, found))
            return found

        monkeypatch.setattr(corpus_step, "confirm_pairs", confirm_pairs)
        monkeypatch.setattr(corpus_step, "frequent_keys", frequent_keys)


@pytest.fixture(scope="module")
def local_run(corpus, tmp_path_factory):
    """A local run of the corpus: its output folder, the candidate pairs, signatures and block-key count inputs."""
    out = tmp_path_factory.mktemp("local") / "out"
    with pytest.MonkeyPatch.context() as mp:
        spy = Spy(mp)
        assert dedupe.clean(corpus, out, CONFIG).exit_code == 0
    (pairs, sigs, n_shingles), = spy.confirmed
    (counted,) = spy.counted
    return out, pairs, sigs, n_shingles, counted


def test_the_corpus_has_duplicates_for_the_shuffle_to_find(local_run):
    _, pairs, sigs, _, ((keys, counts, dup_of, *_), (freq_keys, _)) = local_run
    assert len(sigs) == 400
    assert len(pairs) >= 40 and (dup_of >= 0).sum() >= 40
    assert len(keys) >= 4000 and len(freq_keys) >= 100


@pytest.mark.parametrize("parts", [1, 2, 7])
@pytest.mark.parametrize("cuts", [[], [64, 128, 192, 256, 320, 384], [1, 1, 200, 399], [0, 0, 400]])
def test_bucketed_grouping_gives_exactly_the_local_candidate_pairs(local_run, parts, cuts):
    # Cuts at 0 and 400 make batches without documents (every file of the batch failed to read).
    _, pairs, sigs, n_shingles, _ = local_run
    assert np.array_equal(shuffled_pairs(sigs, n_shingles, Config().doc_band_rows, cuts, parts), pairs)


@pytest.mark.parametrize("parts", [1, 3])
@pytest.mark.parametrize("cuts", [[], [64, 128, 192, 256, 320, 384], [0, 0, 1, 399, 400]])
def test_bucketed_counting_gives_exactly_the_local_template_keys(local_run, parts, cuts):
    # Each batch buckets its block keys by source-mixed key, knowing its documents' sources and kept documents.
    *_, ((keys, counts, dup_of, source_ids, source_docs, config), (freq_keys, freq_df)) = local_run
    owners = np.repeat(np.arange(len(counts)), counts)  # each key's document (the table holds counts)
    reps = np.where(dup_of >= 0, dup_of, np.arange(len(dup_of)))
    bounds = [0, *cuts, len(dup_of)]
    batches = []
    for a, b in zip(bounds, bounds[1:]):
        mine = (owners >= a) & (owners < b)
        batches.append(key_buckets(keys[mine], owners[mine] - a, source_ids[a:b], reps[a:b], parts))
    found = [count_source_keys(*(np.concatenate(c) for c in zip(*(batch[p] for batch in batches))), source_docs,
                               config) for p in range(parts)]
    got_keys, got_df = merge_keys(found)
    assert np.array_equal(got_keys, freq_keys) and np.array_equal(got_df, freq_df)


@pytest.mark.parametrize("per_bucket", [997, 1 << 21])
def test_the_local_count_one_bucket_at_a_time_equals_one_sort_of_every_key(local_run, monkeypatch, per_bucket):
    # The corpus step counts at most _KEYS_PER_BUCKET keys per sort, so that 50M keys (1M documents) do not need
    # several 400 MB temporaries at once; the answer must be the one sort over every key.
    *_, ((keys, counts, dup_of, source_ids, source_docs, config), _) = local_run
    owners = np.repeat(np.arange(len(counts)), counts)
    reps = np.where(dup_of >= 0, dup_of, np.arange(len(dup_of)))[owners]
    src = source_ids[owners]
    want = count_source_keys(corpus_step._mix_source(keys, src), reps, src, source_docs, config)
    monkeypatch.setattr(corpus_step, "_KEYS_PER_BUCKET", per_bucket)
    mixed = keys.copy()
    got = corpus_step.frequent_keys(mixed, counts, dup_of, source_ids, source_docs, config)
    assert len(keys) > 4 * 997 and len(want[0]) >= 100
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    assert not np.array_equal(mixed, keys)  # documented: the keys were mixed in place


@pytest.mark.parametrize("per_bucket", [2, 1 << 21])
def test_a_key_is_counted_once_per_duplicate_cluster_whatever_the_bucket_size(monkeypatch, per_bucket):
    # Documents 1 and 2 are copies (2 duplicates 1): a key in both counts once. In one source of 4 documents.
    monkeypatch.setattr(corpus_step, "_KEYS_PER_BUCKET", per_bucket)
    config = Config(min_corpus_docs=2, min_corpus_share=0.0)
    everywhere, copies_only, in_0_and_3 = np.uint64(11), np.uint64(22), np.uint64(33)
    keys = np.array([everywhere, in_0_and_3, everywhere, copies_only, everywhere, copies_only, everywhere,
                     in_0_and_3], dtype=np.uint64)
    counts = np.array([2, 2, 2, 2], dtype=np.uint32)  # two keys a document, in document order
    dup_of = np.array([-1, -1, 1, -1])
    got, df = corpus_step.frequent_keys(keys.copy(), counts, dup_of, np.zeros(4, np.int32), np.array([4]), config)
    src = np.zeros(1, np.int32)
    mixed = {int(corpus_step._mix_source(np.array([k], np.uint64), src)[0]): k for k in (everywhere, in_0_and_3)}
    assert dict(zip(got.tolist(), df.tolist())) == {k: 3 if mixed[k] == everywhere else 2 for k in mixed}


def test_bucketed_grouping_matches_on_random_signatures_with_shared_bands_and_empty_bodies():
    rng = np.random.default_rng(3)
    for _ in range(40):
        n, perm, rows = int(rng.integers(0, 300)), int(rng.choice([16, 30, 128])), int(rng.integers(1, 5))
        # Copies of a few originals with 20% of their values changed: many shared bands, many runs of 3 or more.
        originals = rng.integers(0, 2**32, size=(max(n // 3, 1), perm), dtype=np.uint32)
        sigs = originals[rng.integers(0, len(originals), n)]
        changed = rng.random(sigs.shape) < 0.2
        sigs[changed] = rng.integers(0, 2**32, int(changed.sum()), dtype=np.uint32)
        n_shingles = rng.integers(0, 3, n) * 10  # a third have no shingles: never candidates
        cuts = sorted(rng.integers(0, n + 1, int(rng.integers(0, 6))).tolist())
        parts = int(rng.integers(1, 6))
        want = candidate_pairs(sigs, n_shingles, rows)
        assert np.array_equal(shuffled_pairs(sigs, n_shingles, rows, cuts, parts), want)


def test_a_bucket_holds_its_keys_band_by_band_with_12_bytes_a_key():
    sigs = np.arange(4 * 12, dtype=np.uint32).reshape(4, 12)
    buckets = band_buckets(sigs, np.array([5, 0, 5, 5]), 3, 2)
    assert sum(len(k) for k, _, _ in buckets) == 3 * 4  # 3 documents with shingles, 4 bands each
    for keys, pos, per_band in buckets:
        assert keys.dtype == np.uint64 and pos.dtype == np.uint32 and per_band.sum() == len(keys)
        assert 1 not in pos.tolist()  # the document without shingles has no band keys
        assert (keys % np.uint64(2) == keys[:1] % np.uint64(2)).all()  # a key's bucket is its value mod 2


# --- on a LocalCluster ------------------------------------------------------------------------------

distributed = pytest.importorskip("distributed", reason="the Dask engine needs the dask extra: pip install -e '.[dask]'")
import dask  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from distributed import Client, get_task_stream  # noqa: E402

from dedupe import cli as dedupe_cli  # noqa: E402

from test_dask import KillOnce, tree, two_worker_cluster  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    with two_worker_cluster() as c:
        yield c


def no_keys_here(monkeypatch):
    """Make computing, grouping or counting keys in this process (the driver) an error, and receiving block keys."""

    def refuse(*args, **kwargs):
        raise AssertionError("the driver computed, grouped or counted keys")

    for name in ("band_keys", "candidate_pairs", "frequent_keys", "count_source_keys"):
        monkeypatch.setattr(corpus_step, name, refuse)
    add = corpus_step.SigTable.add

    def add_without_keys(table, sig, doc_id=None):
        assert len(sig.keys) == 0, "the driver received a document's block keys"
        add(table, sig, doc_id)

    monkeypatch.setattr(corpus_step.SigTable, "add", add_without_keys)


def test_the_driver_gets_pairs_and_template_keys_from_the_shuffles_never_keys(corpus, local_run, cluster, tmp_path,
                                                                              monkeypatch):
    out, local_pairs, local_sigs, *_ = local_run
    spy = Spy(monkeypatch)
    no_keys_here(monkeypatch)
    with Client(cluster, set_as_default=False) as client, get_task_stream(client) as stream:
        run = dedupe.clean(corpus, tmp_path / "out", CONFIG, scheduler=cluster.scheduler_address)
    assert run.exit_code == 0
    (pairs, sigs, _), = spy.confirmed
    assert np.array_equal(pairs, local_pairs) and np.array_equal(sigs, local_sigs)
    # Same template keys, same figures (summary.json's corpus entry counts the block keys the workers held).
    assert tree(tmp_path / "out") == tree(out)
    # Both shuffles ran on the workers: 3 grouping and 3 counting tasks, fed by a bucket of each of the 7 batches.
    done = [t["key"] for t in stream.data]
    batches = [k for k in done if "-sign-" in k and not k.endswith("-state")]
    assert sorted(k.split("-")[-1] for k in done if "-pairs-" in k) == ["0", "1", "2"]
    assert sorted(k.split("-")[-1] for k in done if "-counts-" in k) == ["0", "1", "2"]
    assert len(batches) == 7 and sum("-bucket-" in k for k in done) == sum("-tbucket-" in k for k in done) == 3 * 7


@pytest.mark.parametrize("stage", ["pairs", "counts"])
def test_a_worker_killed_in_a_shuffle_is_replaced_and_the_output_is_still_identical(corpus, local_run, cluster,
                                                                                   tmp_path, stage):
    # The dead worker held half of the buckets (and of the block keys): Dask signs those batches again.
    marker = tmp_path / "killed"
    with Client(cluster, set_as_default=False) as client:
        client.register_plugin(KillOnce(stage, str(marker)), name="kill-once")
        try:
            run = dedupe.clean(corpus, tmp_path / "out", CONFIG, scheduler=cluster.scheduler_address)
        finally:
            client.unregister_worker_plugin("kill-once")
    assert marker.read_text().split("-")[2] == stage
    assert run.exit_code == 0
    assert tree(tmp_path / "out") == tree(local_run[0])


def test_a_grouping_failure_retries_cannot_fix_exits_3_and_leaves_nothing_in_out(corpus, tmp_path):
    # No worker death allowed: the first one is final.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with two_worker_cluster() as c:
            with Client(c, set_as_default=False) as client:
                client.register_plugin(KillOnce("pairs", str(tmp_path / "killed")), name="kill-once")
                result = CliRunner().invoke(
                    dedupe_cli.main, ["clean", str(corpus), str(tmp_path / "out"), "--scheduler", c.scheduler_address, "-q"]
                )
    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1].startswith(
        "error: the Dask cluster could not finish the band-key grouping (bucket ")
    assert "KilledWorker" in result.stderr and "nothing was written to OUT" in result.stderr
    assert not (tmp_path / "out").exists()


def test_shuffle_partitions_is_checked_like_every_setting():
    with pytest.raises(ConfigError, match="shuffle_partitions"):
        Config(shuffle_partitions=-1)
    assert Config(shuffle_partitions=0).shuffle_partitions == 0  # the default: one bucket per worker


def test_the_cli_sets_the_bucket_count(cli, tmp_path):
    result = cli("clean", "--help")
    assert "--shuffle-partitions INT" in result.output
    # A local run accepts it and ignores it: the buckets are the Dask engine's.
    assert cli("clean", ROOT / "samples", tmp_path / "out", "--shuffle-partitions", "4", "-q").exit_code == 0
    assert cli("clean", ROOT / "samples", tmp_path / "out2", "--shuffle-partitions", "-1").exit_code == 2
