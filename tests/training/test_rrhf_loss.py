"""PerfRL's RRHF objective against values computed by hand."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from perfcoder.training.rrhf import GREEDY, SAMPLE, TARGET, best_candidate, rank_loss, rrhf_losses  # noqa: E402

KINDS = [SAMPLE, SAMPLE, GREEDY, TARGET]


def tokens(*values: float) -> object:
    return torch.tensor(values, requires_grad=True)


def test_rank_and_tuning_losses_match_hand_computed_values() -> None:
    per_token = [tokens(-1.0, -1.0), tokens(-0.5), tokens(-3.0, -1.0), tokens(-0.1, -0.3)]
    # length-normalised scores: -1, -0.5, -2, -0.2; rewards R1 < R2 < R3 < R4
    rank, tuning, best = rrhf_losses(per_token, [0.0, 1.0, 1.3, 2.0], KINDS)
    # pairs r_i < r_j with p_i > p_j: (0, 2): -1 - -2 = 1; (1, 2): -0.5 - -2 = 1.5; the others are 0
    assert rank.item() == pytest.approx(2.5)
    assert best == 3 and tuning.item() == pytest.approx(0.2)  # cross-entropy of the target's tokens
    (rank + tuning).backward()
    grad = per_token[2].grad  # d loss / d p_2 = -2, spread over its 2 tokens: descent raises its score
    assert grad is not None and grad.tolist() == pytest.approx([-1.0, -1.0])


def test_a_candidate_without_reward_takes_no_part() -> None:
    scores = torch.tensor([5.0, -1.0, 7.0, 0.0])
    assert rank_loss(scores, [None, 1.0, None, 0.0]).item() == pytest.approx(1.0)  # only (3, 1): 0 - -1
    assert rank_loss(scores, [1.0, 1.0, 1.0, 1.0]).item() == 0.0  # ties are not ranked


@pytest.mark.parametrize(
    ("rewards", "best"),
    [
        ([1.3, 1.3, 1.3, 1.3], 0),  # all tied: a sample first
        ([1.0, 1.0, 1.3, 1.3], 2),  # greedy before the target
        ([0.0, 0.0, 0.0, 2.0], 3),  # only the target is good
        ([0.0, 2.0, 2.0, 2.0], 1),  # the second sample
        ([None, None, None, None], None),
    ],
)
def test_ties_go_to_a_sample_then_greedy_then_target(rewards: list[float | None], best: int | None) -> None:
    assert best_candidate(rewards, KINDS) == best


def test_nothing_judged_gives_a_zero_loss_without_gradient() -> None:
    rank, tuning, best = rrhf_losses([tokens(-1.0), tokens(-2.0)], [None, None], [SAMPLE, TARGET])
    assert best is None and rank.item() == 0.0 and tuning.item() == 0.0
    assert not (rank + tuning).requires_grad  # the trainer skips backward for such a prompt
