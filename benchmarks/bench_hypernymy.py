"""Hypernymy benchmark: word-level is-a scores of a WordNet noun embedding.

Run by hand, not a test. Fits the nouns of WordNet (the closure that
``load_wordnet`` reads from ``--data DIR/wordnet-3.0``) and scores the word
pairs of the hypernymy suite of Roller, Kiela & Nickel (2018,
facebookresearch/hypernymysuite, ``data/*.tsv``; CC BY-NC 4.0, so not
bundled: pass its ``data`` directory as ``--suite DIR``). A word stands for
its noun synsets (``load_wordnet(...).senses``) and a pair of words scores
the maximum over their pairs of synsets. Pairs with a word that is not a noun of WordNet are left out;
the ``pairs`` row gives the share kept. Nothing is trained on these pairs,
so every measure uses all of them; the protocols are the suite's:

- detection (BLESS, EVAL, LEDS, Shwartz): average precision of the score,
  hypernym pairs against the others (co-hyponyms, meronyms, reversed pairs,
  random pairs, ... depending on the data set);
- direction (BLESS): the share of hypernym pairs (x, y) with
  ``score(x, y) > score(y, x)``;
- WBLESS: accuracy of one threshold tuned on a random 2 % of the pairs,
  mean over 1,000 draws (hypernyms against reversed pairs, co-hyponyms,
  meronyms and random pairs);
- BIBLESS: the same with the direction read off the two orders;
- HyperLex (noun pairs): Spearman correlation with the human ratings of
  "to what degree is X a type of Y?".

Scores compared: :meth:`~sklpoincare.PoincareEmbedder.is_a_score`; the same
without its calibration (the geometric score ``d(u, o) - d(u, v)``); Nickel
& Kiela's ``-(1 + 1000 (|v| - |u|)) d(u, v)``; and minus the distance.

Example::

    python benchmarks/bench_hypernymy.py --data ../shared/data --suite ~/hypernymysuite/data --n-jobs 2
"""

import argparse
import copy
import csv
import os
import sys

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import average_precision_score, precision_recall_curve
from _data import add_set_argument, comma_list, estimator_options
from _report import Table, Timer, progress, run_header

from sklpoincare import PoincareEmbedder
from sklpoincare.datasets import load_wordnet

SUITE_FILES = ("bless", "eval", "leds", "shwartz", "wbless", "bibless", "hyperlex_rnd")
SUITE_ORIGIN = (
    "the data directory of github.com/facebookresearch/hypernymysuite "
    "(Roller, Kiela & Nickel 2018), which holds bless.tsv, eval.tsv, leds.tsv, "
    "shwartz.tsv, wbless.tsv, bibless.tsv and hyperlex_rnd.tsv; its licence "
    "(CC BY-NC 4.0) keeps it out of sklpoincare"
)
# Nickel & Kiela (2017), table 4: HyperLex, Spearman rho of their score on
# Poincaré embeddings of the WordNet nouns.
PUBLISHED_HYPERLEX = 0.512
# Trials and validation share of the threshold protocols (WBLESS, BIBLESS).
N_TRIALS, VALIDATION_SHARE = 1000, 0.02


def check_paths(parser, data, suite):
    wordnet = os.path.join(data or "", "wordnet-3.0")
    if data is None or not os.path.isdir(wordnet):
        parser.error(
            f"--data DIR must hold wordnet-3.0/ (Princeton's data.noun and "
            f"index.noun, plain or gzipped); looked for {os.path.abspath(wordnet)}"
        )
    missing = [f"{name}.tsv" for name in SUITE_FILES
               if suite is None or not os.path.isfile(os.path.join(suite, f"{name}.tsv"))]
    if missing:
        parser.error(f"--suite DIR must be {SUITE_ORIGIN}; missing: {', '.join(missing)}"
                     + ("" if suite is None else f" in {os.path.abspath(suite)}"))
    return wordnet


def read_suite(suite, name):
    with open(os.path.join(suite, f"{name}.tsv"), newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


class WordScorer:
    """Scores of word pairs: the maximum over their pairs of senses."""

    def __init__(self, senses, nodes):
        known = set(nodes)
        self.senses = {w: [s for s in names if s in known] for w, names in senses.items()}

    def __call__(self, score, first, second):
        """``score(children, parents)`` per word pair; NaN where a word has no sense."""
        out = np.full(len(first), np.nan)
        children, parents, starts, rows = [], [], [], []
        for row, (a, b) in enumerate(zip(first, second)):
            sa, sb = self.senses.get(a.lower(), []), self.senses.get(b.lower(), [])
            if sa and sb:
                starts.append(len(children))
                rows.append(row)
                children += [x for x in sa for _ in sb]
                parents += sb * len(sa)
        if rows:
            values = score(np.array(children, dtype=object), np.array(parents, dtype=object))
            out[rows] = np.maximum.reduceat(values, starts)
        return out


def threshold_accuracy(scores, truth, predict=None, seed=42):
    """Mean test accuracy of a threshold tuned for accuracy on a random
    ``VALIDATION_SHARE`` of the pairs (``predict(detected, rows)`` maps the
    detections to the predicted labels; default: the detections)."""
    rng = np.random.RandomState(seed)
    detect_truth = truth != 0
    accuracies = []
    for _ in range(N_TRIALS):
        val = rng.rand(len(truth)) < VALIDATION_SHARE
        _, _, thresholds = precision_recall_curve(detect_truth[val], scores[val])
        hits = (scores[val, None] >= thresholds) == detect_truth[val, None]
        threshold = thresholds[hits.mean(axis=0).argmax()]
        test = ~val
        detected = scores[test] >= threshold
        predicted = detected if predict is None else predict(detected, test)
        accuracies.append(np.mean(predicted == truth[test]))
    return float(np.mean(accuracies))


def _pair_scores(words, score, rows, reverse=False):
    """The scores of each row's word pair, in its order or reversed."""
    first, second = [r["word1"] for r in rows], [r["word2"] for r in rows]
    return words(score, second, first) if reverse else words(score, first, second)


def evaluate(words, score, suite, symmetric=False):
    """``{measure: (value, share of pairs kept)}`` for one score on the
    suite's rows (``{file name: rows}``); a symmetric score has no
    direction (NaN)."""
    results = {}
    for name in ("bless", "eval", "leds", "shwartz"):
        h = _pair_scores(words, score, suite[name])
        y = np.array([r["label"] == "True" for r in suite[name]])
        kept = ~np.isnan(h)
        results[f"{name} AP"] = (average_precision_score(y[kept], h[kept]), kept.mean())
    rows = [r for r in suite["bless"] if r["label"] == "True"]
    forward = _pair_scores(words, score, rows)
    backward = _pair_scores(words, score, rows, reverse=True)
    kept = ~np.isnan(forward)
    right_way = np.nan if symmetric else np.mean(forward[kept] > backward[kept])
    results["bless direction"] = (right_way, kept.mean())
    h = _pair_scores(words, score, suite["wbless"])
    y = np.array([r["label"] == "True" for r in suite["wbless"]])
    kept = ~np.isnan(h)
    results["wbless accuracy"] = (threshold_accuracy(h[kept], y[kept]), kept.mean())
    forward = _pair_scores(words, score, suite["bibless"])
    backward = _pair_scores(words, score, suite["bibless"], reverse=True)
    kept = ~np.isnan(forward)
    y = np.array([int(r["label"]) for r in suite["bibless"]])[kept]
    forward, backward = forward[kept], backward[kept]
    direction = np.where(forward >= backward, 1, -1)
    results["bibless accuracy"] = (
        threshold_accuracy(np.maximum(forward, backward), y,
                           predict=lambda detected, rows: detected * direction[rows]),
        kept.mean(),
    )
    rows = [r for r in suite["hyperlex_rnd"] if r["pos"] == "N"]
    h = _pair_scores(words, score, rows)
    ratings = np.array([float(r["score"]) for r in rows])
    kept = ~np.isnan(h)
    results["hyperlex rho (nouns)"] = (spearmanr(h[kept], ratings[kept])[0], kept.mean())
    return results


def _cell(value):
    return "–" if np.isnan(value) else f"{value:.3f}"


def scores_of(est):
    geometric = copy.copy(est)
    geometric.is_a_calibration_ = None  # is_a_score falls back to the geometric score

    def nickel_kiela(children, parents):
        gap = est.norms(parents) - est.norms(children)
        return -(1 + 1000 * gap) * est.distance(children, parents)

    return {
        "is_a_score": est.is_a_score,
        "uncalibrated": geometric.is_a_score,
        "Nickel & Kiela": nickel_kiela,
        "-distance": lambda children, parents: -est.distance(children, parents),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", metavar="DIR", help="directory holding wordnet-3.0/")
    parser.add_argument("--suite", metavar="DIR", help="hypernymysuite's data directory")
    parser.add_argument("--dims", default="10", help="comma list of dimensions")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=1)
    add_set_argument(parser)
    args = parser.parse_args(argv)
    wordnet = check_paths(parser, args.data, args.suite)
    try:
        dims = [int(d) for d in comma_list(args.dims)]
    except ValueError:
        parser.error(f"--dims must be a comma list of integers, got {args.dims!r}")
    run_header(argv)
    nouns = load_wordnet(wordnet)
    suite = {name: read_suite(args.suite, name) for name in SUITE_FILES}
    for dim in dims:
        progress(f"nouns, {dim} dims: fitting on {len(nouns.data):,} pairs")
        est = PoincareEmbedder(n_components=dim, random_state=args.seed,
                               n_jobs=args.n_jobs, **estimator_options(args))
        with Timer() as fit:
            est.fit(nouns.data)
        words = WordScorer(nouns.senses, est.nodes_.tolist())
        results = {name: evaluate(words, score, suite, symmetric=name == "-distance")
                   for name, score in scores_of(est).items()}
        print(f"\nnouns, {dim} dimensions (fit {fit.seconds:.0f} s):")
        first = next(iter(results.values()))
        table = Table(["measure", "pairs"] + list(results), left={"measure"})
        for measure, (_, kept) in first.items():
            table.row(measure, f"{kept:.0%}",
                      *(_cell(results[name][measure][0]) for name in results))
    print(f"\nPublished: HyperLex (nouns), Nickel & Kiela (2017) score on their "
          f"Poincaré embedding: rho {PUBLISHED_HYPERLEX}.")


if __name__ == "__main__":
    sys.exit(main())
