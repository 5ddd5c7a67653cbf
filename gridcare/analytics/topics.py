"""Top issues: clusters of similar request texts, each with a phrase label, a count and examples.

How a period's texts become topics (deterministic for the same input and ``seed``):

1. **Text.** Each text is normalised (``core.textseg.normalize``: simplified characters,
   numbers masked into placeholders) and segmented with jieba; call-centre boilerplate
   (客户来电反映, 请问, 谢谢 …) and placeholders are dropped.
2. **Features.** TF-IDF over jieba words and word pairs, plus TF-IDF over character 2–3-grams
   (robust to segmentation: 峰谷电价 and 峰谷电 share most of their n-grams), reduced to at
   most 100 dimensions (TruncatedSVD, i.e. LSA) and scaled to unit length, so that k-means
   on them is spherical k-means (cosine similarity).
3. **Clusters.** k-means for each k in 2..12 (at most one per 15 texts); the k with the best
   silhouette (cosine, on a seeded sample of ≤ 2,000 texts) wins among those that split no
   topic — no two clusters with centres at cosine ≥ 0.35, unless together they would exceed
   ``max_share`` (on short texts the silhouette alone keeps growing with k, one cluster per phrase). Guard against one giant
   cluster: a cluster holding more than ``max_share`` (25 %) of the texts is split in two
   (k-means on its members) while both halves keep a minimum size and the cluster is not one
   text repeated. Then the catch-all k-means leaves on short, varied texts — a cluster whose texts
   lie far from its centre and share no phrase — is not shown as a topic: its texts are
   clustered once more among themselves (coherent groups kept), and those still left join the
   nearest topic when close enough to it (cosine ≥ 0.3), else 其他.
4. **Labels.** Candidate phrases are runs of one to three consecutive content words exactly as
   they appear in the texts (网上国网, 停电通知, 峰谷电价), never words glued across a stop word. A
   phrase scores ``p_c² · (log(p_c / p) + 0.05)``: ``p_c`` the share of the cluster's texts that
   contain it (each weighted by its closeness to the centre), ``p`` its share of all texts — the
   phrase most of the cluster uses and the rest of the period does not. A longer phrase
   replaces shorter ones it contains when it covers ≥ 70 % as many texts. ``keywords`` are the
   best six phrases, ``label`` the first two.
5. **Examples.** The texts nearest the centre, distinct (boilerplate and punctuation aside),
   with phone and ID numbers masked.

A large period is sampled (seeded) down to ``max_texts`` for the clustering; ``share`` is the
topic's share of the sample and ``count`` is scaled back to the period's size. Texts with no
content word at all (``喂？``) are counted in the last topic, 其他. Single-threaded and about
1–3 s for 4,000 texts: pages cache the result, the periodic report computes it in the worker.
"""

from __future__ import annotations

import math
import random
import re
import warnings
from collections import Counter

from django.utils.translation import gettext as _

from gridcare.core.textseg import PLACEHOLDERS, normalize, segment
from gridcare.core.textutil import mask_personal

# Words that say nothing about the topic: call-centre boilerplate, politeness, question words.
STOP = set(
    "客户 反映 要求 我们 你们 他们 我家 什么 怎么 怎么样 为什么 一下 一直 现在 今天 昨天 已经 还是 就是 这个 "
    "那个 没有 可以 不是 希望 请问 谢谢 麻烦 问题 情况 处理 尽快 帮忙 一个 时候 这样 知道 自己 如果 因为 "
    "所以 但是 而且 还有 需要 表示 咨询 询问 工作人员 电话 联系 说明 告知 非常 比较 这里 那里 上午 下午 晚上 "
    "你好 您好 喂喂 那个 这边 那边 然后 是否 是不是 能不能 可不可以 有没有 多少 哪里 哪个 如何 的话 一些 "
    "俺们 咱们 俺家 咱家 人家 另外 以及 想问 多长时间 多长 一般 大概 具体 我们家 他家 你们的 客户来电 来电反映 来电咨询 来电询问 市民 转办 投诉 告诉 说话 回复 啊啊 一样 之前 以后 "
    "这么 那么 还要 不要 不能 不会 能否 要求 了解 问问 想问 想问一下 请问一下 到底 怎么办 多久 几天".split()
)
PLACEHOLDER_SET = set(PLACEHOLDERS) | {p.lower() for p in PLACEHOLDERS}

MAX_TOPIC_TEXTS = 4000  # texts a page clusters (the latest of the period)
EXAMPLE_CHARS = 160
MAX_PHRASE_WORDS = 3
MAX_PHRASE_CHARS = 8
SVD_DIMS = 60
K_MAX = 12
MAX_CLUSTERS = 16
COHESION_MIN = 0.25  # mean cosine of a cluster's texts to its centre that makes it a topic …
COVERAGE_MIN = 0.3  # … or the share of its texts that contain its best phrase
REHOME_MIN = 0.3  # cosine to a topic's centre for a text of an incoherent cluster to join it
SEPARATION = 0.35  # cosine between two clusters' centres above which they are one topic split
TIGHT = 0.9  # mean cosine to the centre above which a cluster is one repeated text: not split

_CJK = re.compile(r"[\u4e00-\u9fff]")
# Counts and measure words (两个, 一台, 一个多月, 每次): in every topic, telling none apart.
_QUANTITY = re.compile(r"^[一二两三四五六七八九十百几每半多]+[个台次天月年件块位笔回趟遍些多]*[月天年次]?$")
# Call-centre boilerplate around what the customer said (客户来电反映：…, 12345转办：市民投诉…).
_BOILER = re.compile(
    r"(?:客户|市民|用户|群众)(?:第.次)?(?:来电|致电|多次来电)?(?:反映|咨询|询问|投诉|称|表示|催办|要求)?[:：，,]?"
    r"|来电(?:反映|咨询|询问|投诉|称)[:：，,]?|12345转办[:：，,]?|95598转办[:：，,]?"
)
_KEY = re.compile(r"[^\w]+")  # what two texts must share to count as the same example


def _content(word: str) -> bool:
    """A word that may carry the topic: two or more characters (or an ASCII term), no boilerplate."""
    if word in STOP or word in PLACEHOLDER_SET or _QUANTITY.match(word):
        return False
    if len(word) >= 2:
        return bool(_CJK.search(word)) or word.isalnum()
    return False


def _clean(text: str) -> str:
    return _BOILER.sub(" ", normalize(text, max_chars=400)).strip()


def tokens(text: str) -> list[str]:
    """The content words of ``text`` in order (normalised, segmented, boilerplate dropped)."""
    return [w for w in segment(_clean(text)) if _content(w)]


def _runs(text: str) -> tuple[list[str], list[list[str]]]:
    """(content words, runs of consecutive content words) of a text: phrases are cut from runs,
    so a label is a piece of what customers wrote, never words glued across a 的 or a 请问."""
    words, runs, run = [], [], []
    for w in segment(_clean(text)):
        if _content(w):
            words.append(w)
            run.append(w)
        else:
            if run:
                runs.append(run)
            run = []
    if run:
        runs.append(run)
    return words, runs


def _phrases(runs: list[list[str]]) -> set[str]:
    out = set()
    for run in runs:
        for i in range(len(run)):
            for j in range(i + 1, min(i + MAX_PHRASE_WORDS, len(run)) + 1):
                p = "".join(run[i:j])
                if len(p) <= MAX_PHRASE_CHARS:
                    out.add(p)
    return out


def _dedupe(texts, limit: int) -> list[str]:
    seen, out = set(), []
    for text in texts:
        text = " ".join((text or "").split())
        key = _KEY.sub("", _clean(text))[:40]
        if key in seen:
            continue
        seen.add(key)
        out.append(mask_personal(text)[:EXAMPLE_CHARS])
        if len(out) >= limit:
            break
    return out


def _topic(label_phrases: list[str], examples: list[str], n: int, sample_size: int, scale: float) -> dict:
    return {
        "label": "、".join(label_phrases[:2]) or (examples[0][:12] if examples else ""),
        "keywords": label_phrases,
        "count": int(round(n * scale)),
        "share": round(n / sample_size, 4),
        "examples": examples,
    }


def _label(members, weights, phrase_sets, df_all: Counter, n_docs: int, top: int = 6) -> list[str]:
    """The phrases that tell this cluster apart: p_c²·(log(p_c/p) + 0.05), p_c (share of the
    cluster's texts with the phrase) weighted by closeness to the centre; a longer phrase replaces one it contains when it covers ≥ 70 % as many texts."""
    wsum = float(sum(weights)) or 1.0
    mass: dict[str, float] = {}
    hits: Counter = Counter()
    for i, w in zip(members, weights, strict=True):
        for p in phrase_sets[i]:
            mass[p] = mass.get(p, 0.0) + w
            hits[p] += 1
    min_hits = 2 if len(members) >= 4 else 1
    scored = []
    for p, m in mass.items():
        if hits[p] < min_hits:
            continue
        pc = m / wsum
        pa = df_all[p] / n_docs
        if pc < pa:
            continue
        # Coverage first (squared), then distinctiveness; the small constant lets a one-topic
        # period (every phrase as common in the cluster as overall) still be labelled.
        scored.append((pc * pc * (math.log(pc / pa) + 0.05), pc, p))
    scored.sort(key=lambda s: (-s[0], -len(s[2]), s[2]))
    chosen: list[tuple[str, float]] = []
    for _score, pc, p in scored[: top * 8]:
        if any(p in q for q, _qc in chosen):  # a piece of a phrase already chosen
            continue
        inside = [i for i, (q, _qc) in enumerate(chosen) if q in p]
        if not inside:
            if len(chosen) < top:
                chosen.append((p, pc))
            continue
        if pc >= 0.7 * max(chosen[i][1] for i in inside):  # says more, covers nearly as much
            first = inside[0]
            chosen[first] = (p, pc)
            chosen = [c for i, c in enumerate(chosen) if i not in inside[1:]]
    return [p for p, _pc in chosen]


def _features(word_docs: list[str], char_docs: list[str], seed: int):
    """Unit-length LSA vectors of the texts (rows) from word and character-n-gram TF-IDF."""
    import numpy as np
    from scipy.sparse import hstack
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize as l2

    n = len(word_docs)
    min_df = 2 if n >= 20 else 1
    max_df = 0.5 if n >= 50 else 1.0
    parts = []
    for vec, docs in (
        (
            TfidfVectorizer(
                token_pattern=r"[^ ]+", ngram_range=(1, 2), min_df=min_df, max_df=max_df, sublinear_tf=True
            ),
            word_docs,
        ),
        (
            TfidfVectorizer(
                analyzer="char", ngram_range=(2, 3), min_df=min_df, max_df=max_df, sublinear_tf=True
            ),
            char_docs,
        ),
    ):
        try:
            parts.append(vec.fit_transform(docs))
        except ValueError:  # nothing left after pruning
            continue
    if not parts:
        return None
    X = l2(hstack(parts).tocsr())
    dims = min(SVD_DIMS, X.shape[1] - 1, n - 1)
    if dims >= 2:
        X = TruncatedSVD(n_components=dims, random_state=seed, n_iter=4).fit_transform(X)
    else:
        X = X.toarray()
    X = l2(X)
    return np.asarray(X, dtype=np.float64)


def _kmeans(X, k: int, seed: int):
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=4, random_state=seed).fit(X)


def _choose_k(X, seed: int, k_max: int, max_share: float = 1.0) -> tuple[int, list]:
    """The k in 2..k_max with the best cosine silhouette (seeded sample of ≤ 2,000 texts) among
    those that split no topic: no two clusters with centres closer than ``SEPARATION`` unless,
    together, they would be more than ``max_share`` of the texts.

    On short texts the silhouette alone keeps growing with k: a topic whose texts each use one
    or two of its phrases splits into one cluster per phrase. Its pieces' centres stay close
    together while different topics' centres don't, so a k that splits a topic is passed over
    (a topic too big for one cluster may be in pieces: the balance guard wants it so)."""
    import numpy as np
    from sklearn.metrics import silhouette_score

    n = X.shape[0]
    best = fallback = None
    sample = min(n, 1200)
    for k in range(2, k_max + 1):
        labels = _kmeans(X, k, seed).labels_
        clusters = np.unique(labels)
        if len(clusters) < 2:
            continue
        s = silhouette_score(X, labels, sample_size=sample, random_state=seed)
        if fallback is None or s > fallback[0]:
            fallback = (s, k, labels)
        centres = np.vstack([X[labels == c].mean(axis=0) for c in clusters])
        centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
        close = centres @ centres.T
        np.fill_diagonal(close, 0.0)
        sizes = np.bincount(labels)[clusters]
        close[sizes[:, None] + sizes[None, :] > max_share * n] = 0.0
        if close.max() >= SEPARATION:
            continue
        if best is None or s > best[0] + 1e-9:
            best = (s, k, labels)
    best = best or fallback
    if best is None:
        return 1, np.zeros(n, dtype=int)
    return best[1], best[2]


def _split_oversize(X, labels, seed: int, max_share: float, min_size: int):
    """Split clusters over ``max_share`` of the texts in two until none is, or the largest can't be."""
    import numpy as np

    labels = labels.copy()
    n = len(labels)
    frozen: set[int] = set()
    while len(np.unique(labels)) < MAX_CLUSTERS:
        sizes = np.bincount(labels)
        order = [c for c in np.argsort(-sizes, kind="stable") if c not in frozen and sizes[c] > max_share * n]
        if not order:
            break
        c = int(order[0])
        idx = np.flatnonzero(labels == c)
        centre = X[idx].mean(axis=0)
        norm = float(np.linalg.norm(centre))
        if norm >= TIGHT:  # one text repeated: nothing to split
            frozen.add(c)
            continue
        sub = _kmeans(X[idx], 2, seed).labels_
        small = min(int((sub == 0).sum()), int((sub == 1).sum()))
        if small < min_size:
            frozen.add(c)
            continue
        labels[idx[sub == 1]] = labels.max() + 1
    return labels


def _coherent(X, idx, members, phrase_sets, df_all, n_docs) -> bool:
    """A cluster worth a label: its texts lie close to their centre, or a phrase of its label
    is in a fair share of them (not the catch-all k-means leaves of texts that fit nowhere)."""
    import numpy as np

    if float(np.linalg.norm(X[idx].mean(axis=0))) >= COHESION_MIN:
        return True
    best = _label(members, [1.0] * len(members), phrase_sets, df_all, n_docs, top=1)
    return bool(best) and sum(1 for i in members if best[0] in phrase_sets[i]) >= COVERAGE_MIN * len(members)


def _regroup(X, labels, full, phrase_sets, df_all, n_docs, seed: int, min_size: int):
    """Texts of incoherent clusters: clustered once more among themselves (coherent groups kept),
    then each moved to the nearest coherent topic if close enough to it, else to 其他 (-1)."""
    import numpy as np

    def split(labels):
        good, bad = [], []
        for c in np.unique(labels[labels >= 0]):
            idx = np.flatnonzero(labels == c)
            members = [full[i] for i in idx]
            ok = len(idx) >= min_size and _coherent(X, idx, members, phrase_sets, df_all, n_docs)
            (good if ok else bad).append(c)
        return good, bad

    labels = labels.copy()
    good, bad = split(labels)
    pool = np.flatnonzero(np.isin(labels, bad))
    if len(pool) >= 4 * min_size and len(good) < MAX_CLUSTERS:
        k_max = int(min(K_MAX, max(2, len(pool) // 15), MAX_CLUSTERS - len(good)))
        if k_max >= 2:
            _k, sub = _choose_k(X[pool], seed, k_max)
            labels[pool] = labels.max() + 1 + sub
            good, bad = split(labels)
            pool = np.flatnonzero(np.isin(labels, bad))
    labels[pool] = -1
    if len(pool) and good:
        centres = np.vstack([X[labels == c].mean(axis=0) for c in good])
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        sims = X[pool] @ centres.T
        best = sims.argmax(axis=1)
        near = sims[np.arange(len(pool)), best] >= REHOME_MIN
        labels[pool[near]] = np.asarray(good)[best[near]]
    return labels


def cluster_topics(
    texts: list[str],
    *,
    k: int | None = None,
    max_texts: int = 4000,
    examples: int = 3,
    seed: int = 0,
    max_share: float = 0.25,
) -> list[dict]:
    """Cluster ``texts`` into topics: [{label, keywords, count, share, examples}], largest first,
    then 其他 (texts that fit no topic) when there are any. ``keywords``: the representative
    phrases, best first; ``label``: the first two; ``share``: of all texts.

    Runs single-threaded (BLAS/OpenMP): on a busy web or worker host, threads fighting for the
    cores made it five times slower, and the result does not depend on it."""
    from threadpoolctl import threadpool_limits

    # Repeated texts make degenerate matrices (fewer distinct points than clusters): handled, not news.
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", message="Number of distinct clusters")
        return _cluster(texts, k=k, max_texts=max_texts, examples=examples, seed=seed, max_share=max_share)


def _partition(sample: list[str], *, k, seed: int, max_share: float):
    """Parse and cluster ``sample``: (parsed, phrase sets, phrase document counts, indices of
    texts with content, their vectors (None when too few), their cluster labels, -1 = 其他)."""
    import numpy as np

    parsed = [_runs(t) for t in sample]
    phrase_sets = [_phrases(runs) for _w, runs in parsed]
    df_all: Counter = Counter()
    for ps in phrase_sets:
        df_all.update(ps)
    n_docs = len(sample)
    full = [i for i, (words, _r) in enumerate(parsed) if words]
    X = None
    if len(full) >= 6:
        word_docs = [" ".join(parsed[i][0]) for i in full]
        char_docs = ["".join(parsed[i][0]) for i in full]
        X = _features(word_docs, char_docs, seed)
    m = len(full)
    if X is None:
        labels = np.zeros(m, dtype=int)
    elif k:
        k = max(1, min(k, m))
        labels = _kmeans(X, k, seed).labels_ if k > 1 else np.zeros(m, dtype=int)
    else:
        min_size = max(3, int(0.01 * m))
        k_max = int(min(K_MAX, max(2, m // 15)))
        _k, labels = _choose_k(X, seed, k_max, max_share)
        labels = _split_oversize(X, labels, seed, max_share, min_size=max(min_size, int(0.02 * m)))
        labels = _regroup(X, labels, full, phrase_sets, df_all, n_docs, seed, min_size)
    return parsed, phrase_sets, df_all, full, X, labels


def cluster_labels(texts: list[str], *, seed: int = 0, max_share: float = 0.25):
    """The topic index of each of ``texts`` (-1: 其他), as :func:`cluster_topics` groups them
    before sorting (no sampling: for tests and benches of the clustering itself)."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        _p, _ps, _df, full, _X, labels = _partition(texts, k=None, seed=seed, max_share=max_share)
    out = np.full(len(texts), -1, dtype=int)
    out[full] = labels
    return out


def features_of(texts: list[str], *, seed: int = 0):
    """The unit-length LSA vectors :func:`cluster_topics` clusters (texts with content only)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        parsed = [_runs(t) for t in texts]
        keep = [w for w, _r in parsed if w]
        return _features([" ".join(w) for w in keep], ["".join(w) for w in keep], seed)


def _cluster(texts, *, k, max_texts, examples, seed, max_share) -> list[dict]:
    import numpy as np

    texts = [t for t in texts if t and t.strip()]
    total = len(texts)
    if total == 0:
        return []
    sample = texts if total <= max_texts else random.Random(seed).sample(texts, max_texts)
    scale = total / len(sample)
    n_docs = len(sample)
    parsed, phrase_sets, df_all, full, X, labels = _partition(sample, k=k, seed=seed, max_share=max_share)
    m = len(full)

    def topic(members, weights=None) -> dict:
        weights = weights or [1.0] * len(members)
        return _topic(
            _label(members, weights, phrase_sets, df_all, n_docs),
            _dedupe([sample[i] for i in members], examples),
            len(members),
            n_docs,
            scale,
        )

    out = []
    for c in np.unique(labels[labels >= 0]) if m else []:
        idx = np.flatnonzero(labels == c)
        if X is None:
            out.append(topic([full[i] for i in idx]))
            continue
        centre = X[idx].mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        sims = X[idx] @ centre
        order = np.argsort(-sims, kind="stable")
        out.append(topic([full[i] for i in idx[order]], [max(float(s), 0.0) for s in sims[order]]))
    out.sort(key=lambda t: (-t["count"], t["label"]))
    in_topics = set(full[i] for i in np.flatnonzero(labels >= 0)) if m else set()
    rest = [i for i in range(n_docs) if i not in in_topics]
    if rest:
        other = topic(rest)
        other["label"] = _("其他")
        out.append(other)
    return out
