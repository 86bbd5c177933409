"""AlphaCode's token-level training choices (§4.3 of its paper), as options of SFT: softmax tempering
(logits divided by T before the softmax, so the trained model's distribution is sharper when sampled at
T = 1) and GOLD (each answer token's loss weighted by the model's own, detached probability, clipped as
max(p**alpha, beta): an offline-RL objective that favours precision — one solution the model is sure
of — over covering every solution of the data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from perfcoder.errors import PerfcoderError
from perfcoder.settings import setting

IGNORED = -100  # the label transformers and TRL give prompt and padding positions


@dataclass(frozen=True)
class TokenObjective:
    tempering: float = setting(
        1.0, "Softmax tempering: logits divided by T in training (AlphaCode: 0.2; 1: off)."
    )
    gold: bool = setting(False, "GOLD: token losses weighted by max(p**gold_alpha, gold_beta), p detached.")
    gold_alpha: float = setting(0.5, "GOLD's exponent on the token probability (AlphaCode: 1/2).")
    gold_beta: float = setting(0.05, "GOLD's lower clip of a token's weight (AlphaCode: 0.05).")

    def __post_init__(self) -> None:
        if self.tempering <= 0 or self.gold_alpha <= 0 or not 0 <= self.gold_beta <= 1:
            raise PerfcoderError("need tempering > 0, gold_alpha > 0 and 0 <= gold_beta <= 1")

    @property
    def plain(self) -> bool:
        """Plain cross-entropy: the trainer's own loss does the job."""
        return self.tempering == 1.0 and not self.gold


def token_losses(logits: Any, labels: Any, objective: TokenObjective) -> tuple[Any, Any]:
    """Per-position losses and the mask of trained positions, for next-token prediction: position t's
    logits predict labels[t + 1]; labels equal to IGNORED (prompt, padding) are not trained."""
    import torch

    shifted = logits[:, :-1, :].float() / objective.tempering
    targets = labels[:, 1:]
    mask = targets != IGNORED
    log_probs = torch.log_softmax(shifted, dim=-1)
    picked = log_probs.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    losses = -picked
    if objective.gold:
        weight = picked.detach().exp().pow(objective.gold_alpha).clamp(min=objective.gold_beta)
        losses = losses * weight
    return losses * mask, mask


def objective_loss(logits: Any, labels: Any, objective: TokenObjective, items: Any = None) -> Any:
    """The batch loss: summed token losses over the trained tokens (`items`, the whole accumulated
    batch's count when the trainer gives it, so gradient accumulation averages correctly)."""
    import torch

    losses, mask = token_losses(logits, labels, objective)
    count = mask.sum() if items is None else items
    return losses.sum() / torch.as_tensor(count, device=losses.device).clamp(min=1)
