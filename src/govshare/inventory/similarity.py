"""Text similarity of function descriptions (功能描述相似度) for duplicate detection.

Descriptions are segmented with jieba, stop words and single characters dropped, weighted by
TF-IDF over all the systems compared, and compared by cosine. Candidate pairs come from an
inverted index, so only systems that share a term are compared.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import jieba

jieba.setLogLevel(logging.WARNING)  # its start-up chatter is not our log

# Words that every government system description uses; they say nothing about its function.
STOP_WORDS = frozenset(
    "系统 平台 管理 信息 工作 业务 实现 提供 支持 进行 相关 以及 用于 主要 功能 服务 数据 "
    "全市 本部 部门 单位 包括 等 和 与 及 的 了 对 为 在 是 将 可 并".split()
)


def terms(text: str) -> Counter[str]:
    words = (word.strip() for word in jieba.lcut(text or ""))
    return Counter(w for w in words if len(w) > 1 and w not in STOP_WORDS and not w.isdigit())


@dataclass(frozen=True)
class Match:
    left: int
    right: int
    score: float
    shared_terms: tuple[str, ...]


def similar_pairs(texts: Mapping[int, str], threshold: float) -> list[Match]:
    """Pairs of ids whose texts reach ``threshold`` cosine similarity, best first."""
    counts = {key: terms(text) for key, text in texts.items()}
    document_frequency: Counter[str] = Counter()
    for bag in counts.values():
        document_frequency.update(bag.keys())
    total = max(len(counts), 1)
    vectors = {key: _weights(bag, document_frequency, total) for key, bag in counts.items()}
    matches = [
        _match(left, right, vectors[left], vectors[right]) for left, right in _candidates(vectors)
    ]
    return sorted((m for m in matches if m.score >= threshold), key=lambda m: -m.score)


def _weights(bag: Counter[str], df: Counter[str], total: int) -> dict[str, float]:
    weights = {t: n * (1.0 + math.log((1 + total) / (1 + df[t]))) for t, n in bag.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


def _candidates(vectors: Mapping[int, dict[str, float]]) -> Iterable[tuple[int, int]]:
    index: dict[str, list[int]] = defaultdict(list)
    for key, vector in vectors.items():
        for term in vector:
            index[term].append(key)
    seen: set[tuple[int, int]] = set()
    for keys in index.values():
        for i, left in enumerate(keys):
            for right in keys[i + 1 :]:
                pair = (min(left, right), max(left, right))
                if pair not in seen:
                    seen.add(pair)
                    yield pair


def _match(left: int, right: int, a: dict[str, float], b: dict[str, float]) -> Match:
    shared = sorted(set(a) & set(b), key=lambda t: -(a[t] * b[t]))
    score = sum(a[t] * b[t] for t in shared)
    return Match(left, right, round(score, 3), tuple(shared[:8]))
