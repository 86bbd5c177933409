"""`perfcoder train {sft,rrhf,grpo,clm} --config CFG.yaml` and `perfcoder train export-gguf`: parse,
call perfcoder.train (perfcoder.jobs.train), print."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from perfcoder.cli.render import stdout
from perfcoder.jobs.train import train
from perfcoder.training.export import OUT_TYPES, export_gguf
from perfcoder.training.recipes import RECIPES

train_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="Train a model (sft, rrhf, grpo); export it to GGUF."
)

ConfigOption = Annotated[Path, typer.Option("--config", help="YAML training config (examples/configs/).")]
OutputOption = Annotated[Path | None, typer.Option("--output-dir", help="Overrides run.output_dir.")]
StepsOption = Annotated[int | None, typer.Option("--steps", help="Overrides run.steps.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object at the end.")]


def _command(recipe: str) -> Any:
    def command(
        config: ConfigOption,
        output_dir: OutputOption = None,
        steps: StepsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        def show(metrics: dict[str, Any]) -> None:
            if not as_json:
                stdout.print(
                    " ".join(
                        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items()
                    )
                )

        given = {
            key: value for key, value in (("output_dir", output_dir), ("steps", steps)) if value is not None
        }
        result = train(recipe, config, on_metrics=show, **given)
        print(json.dumps(result.to_dict())) if as_json else stdout.print(
            f"model: {result.model}  (perfcoder optimize --model {result.model})"
        )

    command.__doc__ = f"Train with the {recipe} recipe; the final model is a Hugging Face directory."
    return command


for _recipe in RECIPES:
    train_app.command(_recipe)(_command(_recipe))


@train_app.command("export-gguf")
def export_command(
    model: Annotated[Path, typer.Argument(help="A trained model's directory (OUTPUT/final).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The GGUF file to write.")],
    out_type: Annotated[str, typer.Option("--out-type", help=f"{', '.join(OUT_TYPES)}.")] = "f16",
    converter: Annotated[
        Path | None,
        typer.Option(
            "--converter", help="llama.cpp's convert_hf_to_gguf.py (default: fetched once, cached)."
        ),
    ] = None,
) -> None:
    """Convert a trained model to GGUF for the llama.cpp engine (perfcoder optimize --model OUT.gguf)."""
    with stdout.status(f"converting {model} to GGUF"):
        written = export_gguf(model, output, out_type, converter)
    stdout.print(f"{written}  (perfcoder optimize --model {written})")
