"""Top issues: clusters of similar request texts, each with a keyword label, a count and examples.

TF-IDF over jieba words (two or more characters, stop words dropped), k-means with a
fixed seed (so a report reads the same when regenerated), each cluster labelled by its
heaviest words and illustrated by the texts nearest its centre. Deterministic for the
same input; a large period is sampled (seeded) down to ``max_texts`` for the clustering
and the counts scaled back to the period's size.
"""

from __future__ import annotations

import random
import re
import threading

from gridcare.core.textutil import to_simplified

STOP = set(
    "客户 来电 反映 要求 我们 你们 他们 什么 怎么 为什么 一下 一直 现在 今天 昨天 已经 还是 就是 这个 那个 "
    "没有 可以 不是 希望 请问 谢谢 麻烦 问题 情况 处理 尽快 帮忙 一个 时候 这样 知道 自己 如果 因为 所以 "
    "但是 而且 还有 需要 表示 咨询 询问 工作人员 电话 联系 说明 告知 非常 比较 这里 那里 上午 下午 晚上".split()
)
_MASK = re.compile(r"[0-9０-９]+|[A-Za-z]+")
_lock = threading.Lock()
_ready = False


def _jieba():
    global _ready
    import jieba

    with _lock:
        if not _ready:
            jieba.setLogLevel(60)
            jieba.initialize()
            for w in (
                "台区",
                "低电压",
                "95598",
                "电费",
                "电表",
                "峰谷电",
                "充电桩",
                "光伏",
                "停电",
                "跳闸",
                "抄表",
            ):
                jieba.add_word(w)
            _ready = True
    return jieba


def tokens(text: str) -> list[str]:
    jb = _jieba()
    text = _MASK.sub(" ", to_simplified(text or ""))
    return [w for w in jb.lcut(text) if len(w) >= 2 and w not in STOP and not w.isspace()]


def _one_topic(sample: list[str], total: int, examples: int) -> list[dict]:
    words: dict[str, int] = {}
    for text in sample:
        for w in tokens(text):
            words[w] = words.get(w, 0) + 1
    keywords = sorted(words, key=lambda w: -words[w])[:5]
    seen: list[str] = []
    for text in sample:
        if text.strip()[:160] not in seen:
            seen.append(text.strip()[:160])
    return [
        {
            "label": "、".join(keywords[:3]) or sample[0][:12],
            "keywords": keywords,
            "count": total,
            "share": 1.0,
            "examples": seen[:examples],
        }
    ]


def cluster_topics(
    texts: list[str], *, k: int | None = None, max_texts: int = 4000, examples: int = 3, seed: int = 0
) -> list[dict]:
    """Cluster ``texts`` into topics: [{label, keywords, count, share, examples}], largest first."""
    texts = [t for t in texts if t and t.strip()]
    total = len(texts)
    if total == 0:
        return []
    sample = texts if total <= max_texts else random.Random(seed).sample(texts, max_texts)
    scale = total / len(sample)
    if len(sample) < 6:
        return _one_topic(sample, total, examples)
    import numpy as np
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [" ".join(tokens(t)) for t in sample]
    vec = TfidfVectorizer(
        token_pattern=r"[^ ]+", min_df=2, max_df=0.5 if len(sample) >= 50 else 1.0, sublinear_tf=True
    )
    try:
        X = vec.fit_transform(docs)
    except ValueError:  # nothing left after pruning: the texts are all alike
        return _one_topic(sample, total, examples)
    k = k or int(min(10, max(2, round(len(sample) ** 0.5 / 3))))
    k = min(k, X.shape[0])
    km = MiniBatchKMeans(n_clusters=k, n_init=3, batch_size=2048, random_state=seed).fit(X)
    terms = np.array(vec.get_feature_names_out())
    out = []
    for c in range(k):
        members = np.flatnonzero(km.labels_ == c)
        if len(members) == 0:
            continue
        centre = km.cluster_centers_[c]
        top = np.argsort(centre)[::-1][:6]
        keywords = [str(terms[i]) for i in top if centre[i] > 0]
        dist = -np.asarray(X[members] @ centre).ravel()  # nearest the centre: largest projection
        seen, ex = set(), []
        for i in members[np.argsort(dist)]:
            text = sample[i].strip()
            if text[:30] not in seen:
                seen.add(text[:30])
                ex.append(text[:160])
            if len(ex) >= examples:
                break
        count = int(round(len(members) * scale))
        out.append(
            {
                "label": "、".join(keywords[:3]) or ex[0][:12],
                "keywords": keywords,
                "count": count,
                "share": round(len(members) / len(sample), 4),
                "examples": ex,
            }
        )
    out.sort(key=lambda t: -t["count"])
    return out
