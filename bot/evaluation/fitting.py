"""Fit the confidence model: logistic regression in numpy over split-half judgements.

The label is what "right" asks for: the gold document is in the knowledge base and cited. The
classes are weighted equally and the weights lightly penalised, so one dev set's size does not
decide the model and no field gets an extreme weight.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from bot.core.confidence import GATES, NO_EVIDENCE, Evidence, Gate, Model
from bot.evaluation.honesty import Judged

L2, STEPS, RATE = 1e-3, 4000, 0.5
# The evidence added last, fitted onto the model with the rest kept (`eval --fit` prints both
# that and a full refit): refitted whole, the model leant to legal_faq at alqac's cost.
NEWEST_EVIDENCE = ("actions_missing",)


def design(judged: Sequence[Judged]) -> tuple[np.ndarray, np.ndarray]:
    """The evidence matrix and the 0/1 labels."""
    x = np.array([j.evidence or NO_EVIDENCE for j in judged], dtype=np.float64)
    y = np.array([j.in_kb and j.gold_cited for j in judged], dtype=np.float64)
    return x, y


def fit(
    judged: Sequence[Judged],
    gates: tuple[Gate, ...] = GATES,
    keep: Model | None = None,
    new: Sequence[str] = (),
) -> Model:
    """Gradient descent on the class-balanced, L2-penalised logistic loss; `gates` go with it.

    With `keep`, only the `new` fields' weights and the bias are fitted and the others stay at
    `keep`'s: a new piece of evidence joins an established model without re-weighing the rest.
    Every question is fitted, those the gate closes too: left out, they taught the model that
    unseen word pairs are good evidence, and it answered off-topic questions the gate missed.
    """
    x, y = design(judged)
    positive = min(max(float(y.mean()), 1e-6), 1 - 1e-6)
    sample = np.where(y == 1, 0.5 / positive, 0.5 / (1 - positive))
    free = np.array([keep is None or name in new for name in Evidence._fields])
    w = np.zeros(x.shape[1]) if keep is None else np.where(free, 0.0, keep.weights)
    b = 0.0 if keep is None else keep.bias
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        g = (p - y) * sample
        w -= RATE * (x.T @ g / len(y) + L2 * w) * free
        b -= RATE * float(g.mean())
    return Model(tuple(round(float(v), 3) for v in w), round(b, 3), gates)


def _evidence(j: Judged) -> Evidence:
    return j.evidence or NO_EVIDENCE


def rejudge(judged: Sequence[Judged], model: Model) -> list[Judged]:
    """The same judgements with confidences from another model (for threshold tables)."""
    return [
        dataclasses.replace(j, confidence=model.confidence(_evidence(j), j.passages))
        for j in judged
    ]
