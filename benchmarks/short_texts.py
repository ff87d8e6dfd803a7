#!/usr/bin/env python3
"""A seeded corpus of short texts with derived copies, and what `dedupe clean` finds in it.

usage: python benchmarks/short_texts.py [--topics 20] [--seed 3] [--work DIR] [--containment 0.45 ...]

Per topic: one source text (300-500 words), cut-and-paste copies of it (about
two thirds of its sentences taken verbatim, a few sentences of the copier's
own, a word in thirty changed), light rewordings (about 70% of the sentences
kept, a word in ten replaced, words swapped or dropped, a few sentences
reordered, a few of the writer's own), and unrelated texts written on the same topic. Every
topic has its own stock phrases (a term of art, a name: three to five words)
that all its texts use, so same-topic texts share 3-grams as real ones do.
Words are the pseudo-words of `make_corpus.py` (Zipf-distributed, topic-biased).

Prints how much of each kind's 5-grams and 3-grams lie in its source, then,
for the defaults and for each `--containment` value of the derived-copy check
(`derived_containment`): per kind, how many were dropped, and every wrong
merge (an unrelated text merged with anything, or texts of two topics
merged); a dropped source (merged with a copy of itself that is longer) is
counted under "source". Exit status 1 if any merge is wrong.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import Generator  # noqa: E402
from real_duplicates import _workdir  # noqa: E402

from dedupe import Config, clean  # noqa: E402
from dedupe.sign import normalize  # noqa: E402

KINDS = ("source", "cut", "light", "unrelated")


class ShortTexts:
    """Short texts on topics, with stock phrases per topic (seeded)."""

    def __init__(self, seed: int):
        self.g = Generator(seed)
        self.rng = self.g.rng
        self.phrases: dict[int, list[str]] = {}

    def phrase_book(self, topic: int) -> list[str]:
        if topic not in self.phrases:
            self.phrases[topic] = [" ".join(self.g.words(self.rng.randint(3, 5), topic)) for _ in range(12)]
        return self.phrases[topic]

    def sentence(self, topic: int) -> list[str]:
        w = self.g.words(self.rng.randint(8, 22), topic)
        for _ in range(self.rng.choice((0, 1, 1, 2))):  # the topic's stock phrases, as real texts repeat them
            at = self.rng.randrange(len(w) + 1)
            w[at:at] = self.rng.choice(self.phrase_book(topic)).split()
        return w

    def text(self, topic: int, words: int) -> list[list[str]]:
        out: list[list[str]] = []
        while sum(map(len, out)) < words:
            out.append(self.sentence(topic))
        return out

    def cut(self, source: list[list[str]], topic: int) -> list[list[str]]:
        """A cut-and-paste copy: runs of the source's sentences verbatim, a few own sentences, rare word edits."""
        keep = [s for s in source if self.rng.random() < 0.65]
        out = [list(s) for s in keep]
        for _ in range(self.rng.randint(2, 4)):
            out.insert(self.rng.randrange(len(out) + 1), self.sentence(topic))
        for s in out:
            for i in range(len(s)):
                if self.rng.random() < 1 / 30:
                    s[i] = self.g.words(1, topic)[0]
        return out

    def light(self, source: list[list[str]], topic: int) -> list[list[str]]:
        """A light rewording: most sentences kept, a word in ten replaced, swaps and drops, some reordering."""
        out = []
        for s in source:
            if self.rng.random() < 0.3:
                continue
            s = [self.g.words(1, topic)[0] if self.rng.random() < 0.1 else w for w in s]
            if len(s) > 3 and self.rng.random() < 0.4:
                i = self.rng.randrange(len(s) - 1)
                s[i], s[i + 1] = s[i + 1], s[i]
            if len(s) > 6 and self.rng.random() < 0.3:
                del s[self.rng.randrange(len(s))]
            out.append(s)
        for _ in range(2):
            if len(out) > 2:
                i = self.rng.randrange(len(out) - 1)
                out[i], out[i + 1] = out[i + 1], out[i]
        for _ in range(self.rng.randint(1, 3)):
            out.insert(self.rng.randrange(len(out) + 1), self.sentence(topic))
        return out


def render(sentences: list[list[str]]) -> str:
    """Sentences as paragraphs of two to four, one paragraph a line."""
    lines, i = [], 0
    while i < len(sentences):
        n = 2 + (i * 7 + len(sentences)) % 3
        lines.append(" ".join(" ".join(s).capitalize() + "." for s in sentences[i : i + n]))
        i += n
    return "\n".join(lines) + "\n"


def build(dest: Path, topics: int, per_kind: int, seed: int) -> dict[str, tuple[int, str]]:
    """Write the corpus into dest (one folder, one file a text); returns file -> (topic, kind)."""
    st = ShortTexts(seed)
    truth: dict[str, tuple[int, str]] = {}
    dest.mkdir(parents=True)
    for t in range(topics):
        source = st.text(t, st.rng.randint(300, 500))
        texts = [("source", source)]
        texts += [("cut", st.cut(source, t)) for _ in range(per_kind)]
        texts += [("light", st.light(source, t)) for _ in range(per_kind)]
        texts += [("unrelated", st.text(t, st.rng.randint(150, 400))) for _ in range(2 * per_kind)]
        for i, (kind, sentences) in enumerate(texts):
            # Names mix the kinds in path order, so that first-by-path keeps no kind first.
            name = f"t{t:02d}-{(i * 37) % len(texts):02d}.txt"
            (dest / name).write_text(render(sentences), encoding="utf-8")
            truth[name] = (t, kind)
    return truth


def grams(text: str, k: int) -> set:
    w = normalize(text).split()
    return {tuple(w[i : i + k]) for i in range(len(w) - k + 1)}


def overlaps(src: Path, truth: dict[str, tuple[int, str]]) -> None:
    """Mean share of each kind's 5-grams and 3-grams found in its topic's source."""
    sources = {t: (src / f).read_text(encoding="utf-8") for f, (t, k) in truth.items() if k == "source"}
    for kind in KINDS[1:]:
        share = {5: [], 3: []}
        for f, (t, k) in truth.items():
            if k == kind:
                text = (src / f).read_text(encoding="utf-8")
                for n in share:
                    mine = grams(text, n)
                    share[n].append(len(mine & grams(sources[t], n)) / max(1, len(mine)))
        print(f"  {kind}: {len(share[5])} texts, in their source: 5-grams {sum(share[5]) / len(share[5]):.2f}, "
              f"3-grams {sum(share[3]) / len(share[3]):.2f} (mean)")


def score(truth: dict[str, tuple[int, str]], clusters: list[dict]) -> tuple[dict[str, int], list[str]]:
    """Per kind how many were dropped, and every wrong merge: an unrelated text merged, or two topics merged.

    A copy merged with a sibling copy of its source (the source dropped as a copy of a
    copy about as long as itself) is a right merge: they are one family of texts.
    """
    dropped = {k: 0 for k in KINDS}
    wrong = []
    for c in clusters:
        kept_topic, kept_kind = truth[c["kept"]]
        for m in c["members"]:
            topic, kind = truth[m["file"]]
            dropped[kind] += 1
            if "unrelated" in (kind, kept_kind) or kept_topic != topic:
                wrong.append(f"{m['file']} ({kind}) -> {c['kept']} ({kept_kind}), {m['measure']} {m['similarity']:.3f}")
    return dropped, wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--topics", type=int, default=20)
    parser.add_argument("--per-kind", type=int, default=4, help="cut-and-paste copies and light rewordings per "
                        "topic (and twice as many unrelated texts)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--containment", type=float, nargs="*", default=[0.45],
                        help="derived_containment values to run besides the defaults")
    args = parser.parse_args(argv)
    failed = 0
    with _workdir(args.work, "dedupe-short-") as work:
        work = Path(work)
        src = work / "texts"
        shutil.rmtree(src, ignore_errors=True)
        truth = build(src, args.topics, args.per_kind, args.seed)
        counts = {k: sum(1 for _, kind in truth.values() if kind == k) for k in KINDS}
        print(f"{len(truth)} texts in {args.topics} topics: " + ", ".join(f"{counts[k]} {k}" for k in KINDS))
        overlaps(src, truth)
        for value in [None, *args.containment]:
            config = Config() if value is None else Config(derived_containment=value)
            out = work / "out"
            shutil.rmtree(out, ignore_errors=True)
            dropped, wrong = score(truth, clean(src, out, config, dry_run=True).clusters)
            name = "defaults" if value is None else f"derived_containment={value}"
            print(f"{name}: dropped " + ", ".join(f"{dropped[k]}/{counts[k]} {k}" for k in KINDS)
                  + f"; wrong merges {len(wrong)}")
            for w in wrong:
                print("  WRONG " + w)
            failed += len(wrong)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
