"""AlphaCode's token objectives against values computed by hand (plain floats, no torch on this side)."""

from __future__ import annotations

import math

import pytest

from perfcoder.errors import PerfcoderError
from perfcoder.training.objectives import IGNORED, TokenObjective, objective_loss, token_losses

torch = pytest.importorskip("torch")

# one sequence of 3 positions over a 3-token vocabulary; position t predicts labels[t + 1]
LOGITS = [[2.0, 0.0, -1.0], [0.5, 1.5, 0.0], [9.0, 9.0, 9.0]]
LABELS = [IGNORED, 1, 0]  # first label is the prompt's: never trained


def log_softmax(row: list[float], temperature: float) -> list[float]:
    scaled = [x / temperature for x in row]
    top = max(scaled)
    total = math.log(sum(math.exp(x - top) for x in scaled)) + top
    return [x - total for x in scaled]


def by_hand(temperature: float, gold: bool, alpha: float = 0.5, beta: float = 0.05) -> list[float]:
    """Position 0 predicts token 1, position 1 predicts token 0; position 2 predicts nothing."""
    losses = []
    for position, target in ((0, 1), (1, 0)):
        log_p = log_softmax(LOGITS[position], temperature)[target]
        weight = max(math.exp(log_p) ** alpha, beta) if gold else 1.0
        losses.append(-log_p * weight)
    return losses


def computed(objective: TokenObjective) -> list[float]:
    logits = torch.tensor([LOGITS])
    losses, mask = token_losses(logits, torch.tensor([LABELS]), objective)
    assert mask.tolist() == [[True, True]]
    return [float(x) for x in losses[0]]


@pytest.mark.parametrize("temperature", [1.0, 0.2, 2.0])
@pytest.mark.parametrize("gold", [False, True])
def test_token_losses_match_the_hand_computed_ones(temperature: float, gold: bool) -> None:
    objective = TokenObjective(tempering=temperature, gold=gold)
    assert computed(objective) == pytest.approx(by_hand(temperature, gold), rel=1e-5)


def test_gold_clips_small_weights_at_beta() -> None:
    # token 1 at position 0 under T=0.2 has p = e^-10 / (1 + e^-10 + e^-15): its weight is beta
    objective = TokenObjective(tempering=0.2, gold=True, gold_beta=0.05)
    log_p = log_softmax(LOGITS[0], 0.2)[1]
    assert math.exp(log_p) ** 0.5 < 0.05
    assert computed(objective)[0] == pytest.approx(-log_p * 0.05, rel=1e-5)


def test_gold_weights_are_not_differentiated() -> None:
    """GOLD's gradient is weight * grad(-log p): the weight is a constant, not part of the graph."""
    logits = torch.tensor([LOGITS], requires_grad=True)
    objective_loss(logits, torch.tensor([LABELS]), TokenObjective(gold=True), items=1).backward()
    probabilities = [math.exp(x) for x in log_softmax(LOGITS[0], 1.0)]
    weight = max(probabilities[1] ** 0.5, 0.05)
    expected = [weight * (p - (1.0 if i == 1 else 0.0)) for i, p in enumerate(probabilities)]
    assert logits.grad[0, 0].tolist() == pytest.approx(expected, rel=1e-5)
    assert logits.grad[0, 2].tolist() == [0.0, 0.0, 0.0]  # the last position predicts nothing


def test_the_batch_loss_divides_by_the_trained_tokens() -> None:
    logits, labels = torch.tensor([LOGITS]), torch.tensor([LABELS])
    plain = TokenObjective()
    assert plain.plain and not TokenObjective(gold=True).plain
    assert float(objective_loss(logits, labels, plain)) == pytest.approx(sum(by_hand(1.0, False)) / 2)
    assert float(objective_loss(logits, labels, plain, items=4)) == pytest.approx(
        sum(by_hand(1.0, False)) / 4
    )


def test_impossible_settings_are_refused() -> None:
    with pytest.raises(PerfcoderError):
        TokenObjective(tempering=0.0)
    with pytest.raises(PerfcoderError):
        TokenObjective(gold_beta=1.5)
