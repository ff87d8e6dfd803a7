"""A seeded synthetic corpus of news-like documents with known duplicates and template text.

    python benchmarks/make_corpus.py OUT --docs 10000 [--seed 7]

Layout: OUT/site_NNN/DOCID.txt, one folder per site (the folder is the
document's source). Every site wraps its articles in its own template: a
header (site name, menu, a dated byline that varies per article) and a footer
(tagline, newsletter prompt, copyright). Ground truth goes to OUT.truth.json
(beside OUT, so that OUT holds only the corpus):

- ``clusters``: lists of document paths that are copies of one article; the
  first is the original. Copies are syndicated onto another site (that site's
  template around it) and then edited: a few words changed, a paragraph
  dropped, truncated (the first 55-90% of paragraphs), or several of these.
- ``template``: per site, the template lines every article of it carries.
- ``quotes``: pairs of unrelated articles that share one quoted paragraph (not
  duplicates, not template text).

Articles are made of pseudo-words drawn from a Zipf distribution over a
vocabulary shared by the whole corpus, and topics bias the draw, so unrelated
articles share common words and phrases as real news does. Short pages (a few
words: "Page not found" stubs, one-line briefs) are mixed in; distinct ones
must never be merged.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import deque
from pathlib import Path

import numpy as np

SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"] + ["ar", "en", "is", "on", "ul", "ex", "st", "th"]
MENU = ["Home", "World", "Business", "Politics", "Tech", "Science", "Health", "Sport", "Opinion", "Culture", "Travel"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


class Generator:
    """Every random choice comes from one seeded generator: the same seed gives the same corpus."""

    def __init__(self, seed: int, vocab: int = 30000):
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        words = set()
        while len(words) < vocab:
            words.add("".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.choice((1, 2, 2, 3, 3, 4)))))
        self.vocab = sorted(words)
        self.rng.shuffle(self.vocab)
        ranks = np.arange(1, vocab + 1)
        p = 1.0 / ranks**1.05
        self.p = p / p.sum()
        self.cdf = np.cumsum(self.p)
        self.topics = [self.np.choice(vocab, 60, replace=False) for _ in range(200)]
        self._pos = self._size = 0
        self.shorts: set[str] = set()

    def _refill(self) -> None:
        # Words are drawn in bulk (one numpy call per million words, not per sentence).
        self._size = 1 << 20
        self._idx = np.minimum(np.searchsorted(self.cdf, self.np.random(self._size)), len(self.vocab) - 1)
        self._slot = np.where(self.np.random(self._size) < 0.12, self.np.integers(0, 60, self._size), -1)
        self._pos = 0

    def words(self, n: int, topic: int) -> list[str]:
        if self._pos + n > self._size:
            self._refill()
        idx = self._idx[self._pos : self._pos + n].tolist()
        slot = self._slot[self._pos : self._pos + n].tolist()
        self._pos += n
        top = self.topics[topic]
        vocab = self.vocab
        return [vocab[top[s]] if s >= 0 else vocab[i] for i, s in zip(idx, slot)]

    def sentence(self, topic: int) -> str:
        w = self.words(self.rng.randint(8, 28), topic)
        w[0] = w[0].capitalize()
        if self.rng.random() < 0.3:
            w[self.rng.randrange(len(w))] = str(self.rng.randint(2, 2024))
        if self.rng.random() < 0.4:
            k = self.rng.randrange(1, len(w) - 1)
            w[k] += ","
        return " ".join(w) + self.rng.choice(".....?!")

    def paragraph(self, topic: int) -> str:
        return " ".join(self.sentence(topic) for _ in range(self.rng.randint(1, 4)))

    def article(self) -> dict:
        topic = self.rng.randrange(len(self.topics))
        title = " ".join(self.words(self.rng.randint(5, 11), topic)).capitalize()
        paras = [self.paragraph(topic) for _ in range(self.rng.randint(4, 16))]
        return {"title": title, "paras": paras}

    def site(self, i: int) -> dict:
        name = " ".join(w.capitalize() for w in self.words(self.rng.randint(1, 2), 0)) + self.rng.choice(
            [" Times", " Post", " Daily", " News", " Herald", " Tribune", " Online", ""]
        )
        menu = self.rng.sample(MENU, self.rng.randint(4, 8))
        tagline = f"{name} is " + " ".join(self.words(self.rng.randint(6, 14), 0)) + "."
        header = [name, " | ".join(menu)]
        if self.rng.random() < 0.5:
            header.insert(0, "Skip to main content")
        footer = [tagline, self.rng.choice([
            "Sign up for our newsletter to get the best stories delivered to your inbox.",
            f"Get the {name} newsletter: the day's news, every morning.",
            "Subscribe now and get unlimited access to all our journalism.",
        ]), f"© {self.rng.randint(2015, 2024)} {name}. All rights reserved.",
            self.rng.choice(["Privacy Policy | Terms of Use | Contact", "Contact us | Advertise | Careers | Privacy",
                             "About | Help | Cookie settings"])]
        return {"name": name, "header": header, "footer": footer}

    def byline(self, site: dict) -> str:
        author = " ".join(w.capitalize() for w in self.words(2, 0))
        return (f"By {author} | {self.rng.randint(1, 28)} {self.rng.choice(MONTHS)} {self.rng.randint(2019, 2024)} "
                f"{self.rng.randint(0, 23):02d}:{self.rng.randint(0, 59):02d}")

    def page(self, site: dict, art: dict) -> str:
        lines = site["header"] + [art["title"], self.byline(site)] + art["paras"] + site["footer"]
        return "\n\n".join(lines) + "\n"

    def edit(self, art: dict) -> tuple[dict, str]:
        """A syndicated copy: one or more edits of the original article."""
        paras = list(art["paras"])
        kinds = self.rng.choice([["exact"], ["words"], ["drop"], ["truncate"], ["words", "drop"],
                                 ["words", "truncate"], ["words"], ["drop"]])
        for kind in kinds:
            if kind == "words":
                # Small edits: about one word in 120 replaced (a corrected name, a changed figure).
                total = sum(len(p.split()) for p in paras)
                out = [p.split() for p in paras]
                for _ in range(max(1, total // 120)):
                    w = out[self.rng.randrange(len(out))]
                    w[self.rng.randrange(len(w))] = self.rng.choice(self.vocab[:2000])
                paras = [" ".join(w) for w in out]
            elif kind == "drop" and len(paras) > 3:
                del paras[self.rng.randrange(1, len(paras))]
            elif kind == "truncate" and len(paras) > 3:
                paras = paras[: max(3, round(len(paras) * self.rng.uniform(0.55, 0.9)))]
        title = art["title"] if self.rng.random() < 0.7 else art["title"] + " " + self.rng.choice(["- update", "(video)"])
        return {"title": title, "paras": paras}, "+".join(kinds)

    def short(self) -> str:
        """A short page; never the same text twice (identical stubs would be true duplicates)."""
        while True:
            if self.rng.random() < 0.3:
                text = self.rng.choice(["Page not found", "404", "Loading..."]) + " " + " ".join(self.words(2, 0))
            else:
                text = " ".join(self.words(self.rng.randint(1, 6), self.rng.randrange(200)))
            if text.lower() not in self.shorts:
                self.shorts.add(text.lower())
                return text + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dup-share", type=float, default=0.15, help="share of documents that are copies")
    ap.add_argument("--short-share", type=float, default=0.03)
    args = ap.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        print(f"{args.out} is not empty", file=sys.stderr)
        return 2
    started = time.perf_counter()
    g = Generator(args.seed)
    n_sites = max(10, args.docs // 250)
    sites = [g.site(i) for i in range(n_sites)]
    # Copies are made of recent articles only, so the generator's memory stays flat at any size.
    originals: deque[tuple[str, dict, int]] = deque(maxlen=5000)
    clusters: dict[str, list[str]] = {}
    quotes = []
    pending_quote = None
    made = 0
    size = 0
    for i in range(args.docs):
        r = g.rng.random()
        s = g.rng.randrange(n_sites)
        rel = f"site_{s:04d}/{i:08d}.txt"
        if r < args.short_share:
            text = g.short()
        elif r < args.short_share + args.dup_share and originals:
            src_rel, art, src_site = originals[g.rng.randrange(len(originals))]
            while s == src_site and n_sites > 1:
                s = g.rng.randrange(n_sites)
            rel = f"site_{s:04d}/{i:08d}.txt"
            copy, _how = g.edit(art)
            text = g.page(sites[s], copy)
            clusters.setdefault(src_rel, [src_rel]).append(rel)
        else:
            art = g.article()
            if g.rng.random() < 0.01:
                if pending_quote is None:
                    pending_quote = (rel, "“" + g.sentence(0) + "” " + g.sentence(0))
                    art["paras"].insert(g.rng.randrange(1, len(art["paras"])), pending_quote[1])
                else:
                    art["paras"].insert(g.rng.randrange(1, len(art["paras"])), pending_quote[1])
                    quotes.append([pending_quote[0], rel])
                    pending_quote = None
            text = g.page(sites[s], art)
            originals.append((rel, art, s))
        path = args.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        with open(path, "wb") as f:
            f.write(data)
        size += len(data)
        made += 1
    truth = {
        "docs": made,
        "bytes": size,
        "seed": args.seed,
        "clusters": sorted(clusters.values()),
        "template": {f"site_{i:04d}": s["header"] + s["footer"] for i, s in enumerate(sites)},
        "quotes": quotes,
    }
    Path(str(args.out).rstrip("/") + ".truth.json").write_text(json.dumps(truth))
    print(f"{made} documents, {size / 1e6:.1f} MB, {len(clusters)} clusters, "
          f"{sum(len(c) - 1 for c in clusters.values())} copies, in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
