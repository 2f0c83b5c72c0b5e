"""The seed's signal ladder on RTE, reproduced with this engine: does each added source of signal help?

    python bench/ladder.py [--mode quick|full] [--seeds N] [--encoder NAME] [--workspace DIR]
    python bench/ladder.py --select            # the settings the recipes use, chosen on the RTE holdout
    python bench/ladder.py --prepare-only      # register the ladder's datasets in the workspace (for the app)

Steps (recipes/rte_ladder/<mode>/, the Train page's presets): (1) fine-tune on RTE alone; (2) multi-task with
MRPC, STS-B, WNLI, CoLA and SST-2; (3) then RTE alone from step 2's best multi-task checkpoint; (4) the same plus
slice heads for dash_semicolon and multiple_pronouns (4b: the slice combiner instead); (5) an ensemble of the step-4
runs (and 4b's when fewer than three). Each step trains once per seed; every run lands in the workspace's runs
folder, where the app lists it. Settings and checkpoints are chosen on a 277-pair holdout of RTE train; the
reported rows, RTE dev, are never tuned on (see ladder_data.py).

Per step the table gives RTE dev accuracy (mean and spread over seeds, Wilson's 95% interval), each slice's
accuracy and n, and exact McNemar tests against the step before, seed by seed. Written to docs/results.md.
Resumable: a run whose config and data match a completed run of the runs folder is reused (said in the output).

Quick mode (a 2-core CPU: auxiliary tasks subsampled, fewer seeds) prints ``ladder_quick_minutes: <m>`` last;
full mode (a GPU box, any Hugging Face encoder: ``--encoder bert-base-uncased --pooling cls``)
``ladder_full_minutes: <m>``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python bench/<name>.py` from anywhere
from mmtl_core.errors import MMTLError
from mmtl_core.train import TrainConfig, load_config
from mmtl_core.train.naming import encoder_label
from mmtl_core.model.encoder import resolve_encoder_name
from mmtl_core.workspace import Workspace, default_root

from bench_runs import Trained, ensemble_or_reuse, run_cost, total_minutes, train_or_reuse
from ladder_data import TARGET, Prepared, prepare
from ladder_select import CANDIDATES, candidate_config, describe, score_candidate, select_table
from ladder_report import (RunScore, StepScore, compare_steps, curve_table, half_width, ladder_table, score_run,
                           scored_split, slice_head_lines, slice_sizes)
from results_page import DEFAULT_PAGE, REPO, provenance, write_section

RECIPES = REPO / "recipes" / "rte_ladder"
DEFAULT_GLUE = REPO.parent / "shared" / "data" / "glue_data"
#: Seeds per step, and for the step-4b variant: quick mode's fit 30 minutes of a quiet 2-core CPU (docs/results.md
#: has the time measured) and ensemble four runs (4, 4, 4b, 4b); a third seed would add about 10 minutes.
DEFAULT_SEEDS = {"quick": (2, 2), "full": (5, 5)}
MIN_ENSEMBLE = 3
METAL = ("76.5 → 82.3 → 83.4 → 84.1 → about 85 (slices: dash/semicolon 76.7 → 79.3, multiple pronouns "
         "58.3 → 75.0)")


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    recipe: str
    previous: str | None


STEPS = (
    Step("1", "single task", "1_single_task.yaml", None),
    Step("2", "multi-task", "2_multi_task.yaml", "1"),
    Step("3", "+ per-task fine-tuning", "3_per_task_stage.yaml", "2"),
    Step("4", "+ slice heads", "4_slice_heads.yaml", "3"),
    Step("4b", "+ slice combiner (variant of 4)", "4b_slice_combiner.yaml", "3"),
)
ENSEMBLE = Step("5", "ensemble", "", "4")


def recipe_config(step_key: str, args: argparse.Namespace, workspace: Workspace) -> TrainConfig:
    """The step's recipe with the command line's encoder, pooling and threads, in the bench's workspace."""
    step = next(s for s in STEPS if s.key == step_key)
    cfg = load_config(RECIPES / args.mode / step.recipe)
    changes = {k: v for k, v in (("encoder", args.encoder), ("pooling", args.pooling)) if v is not None}
    return replace(cfg, **changes, num_threads=args.threads, workspace=str(workspace.root),
                   functions_dir=str(workspace.functions_dir))


def run_step(step: Step, seeds: list[int], args, workspace: Workspace, prepared: Prepared, data, out,
             starts: dict[int, Path]) -> StepScore:
    """Every seed's run of the step; a step whose recipe starts from step 2's run (``init_from``) starts from the
    run of the same seed that this invocation trained or reused (``starts``), else from the one its recipe names."""
    runs = []
    base = recipe_config(step.key, args, workspace)
    for seed in seeds:
        cfg = replace(base, name=f"{base.name} · seed {seed}", seed=seed)
        if cfg.init_from and seed in starts:
            cfg = replace(cfg, init_from=str(starts[seed]))
        trained = train_or_reuse(cfg, prepared.fingerprints(), fresh=args.fresh, clock=time.perf_counter)
        runs.append(score(trained, data, prepared, seed))
        say(out, step, runs[-1], trained)
    return StepScore(step.key, step.label, step.previous, runs)


def score(trained: Trained, data, prepared: Prepared, seed: int) -> RunScore:
    return score_run(data, prepared.rte.name, trained.path, seed, trained.seconds, trained.reused)


def say(out, step: Step, run: RunScore, trained: Trained) -> None:
    how = (f"reused {run.path.name} (a completed run of the same config on the same data)" if trained.reused
           else f"trained in {trained.seconds / 60:.1f} min: {run.path.name}")
    which = f"step {step.key}" + (f" seed {run.seed}" if run.seed >= 0 else "")
    print(f"{which}: {how}; holdout {run.holdout:.3f}, RTE dev {run.overall:.3f}", file=out, flush=True)


def ensemble_step(steps: dict[str, StepScore], args, workspace: Workspace, prepared: Prepared, data,
                  out) -> StepScore | None:
    members = [r for key in ("4", "4b") for r in steps.get(key, StepScore(key, "", None, [])).runs]
    members = steps["4"].runs if len(steps["4"].runs) >= MIN_ENSEMBLE else members
    if len(members) < MIN_ENSEMBLE:
        print(f"step 5: skipped, {len(members)} runs of steps 4 and 4b; an ensemble needs {MIN_ENSEMBLE}", file=out)
        return None
    name = f"RTE ladder ({args.mode}) · 5 ensemble of {len(members)} runs"
    trained = ensemble_or_reuse([r.path for r in members], workspace.runs_dir, name, fresh=args.fresh)
    run = score(trained, data, prepared, seed=-1)
    say(out, ENSEMBLE, run, trained)
    result = StepScore(ENSEMBLE.key, f"{ENSEMBLE.label} of {len(members)} runs", ENSEMBLE.previous, [run])
    result.comparisons = compare_steps(data, steps["4"], result, by_seed=False)
    return result


def encoder_text(args) -> str:
    encoder = args.encoder if args.encoder is not None else load_config(RECIPES / args.mode / STEPS[0].recipe).encoder
    return f"{encoder_label(encoder)} ({resolve_encoder_name(encoder)})"


def report(args, steps: list[StepScore], data, workspace: Workspace, minutes: float) -> str:
    sizes, n = slice_sizes(data), int(data.labeled.sum())
    spent = total_minutes([r.path for st in steps for r in st.runs])
    lines = [f"## RTE signal ladder ({args.mode} mode)", "",
             provenance(args.threads, minutes, encoder_text(args), spent),
             f"- recipes: `recipes/rte_ladder/{args.mode}/`; workspace `{workspace.root}` "
             "(RTE_holdout: RTE train less a 277-pair holdout, which chose every setting and checkpoint; RTE dev "
             "is its test split, reported below and never tuned on)",
             "", ladder_table(data, steps), "",
             f"Snorkel MeTaL with BERT-large (2019), for reference: {METAL}. A 95% interval on {n} pairs is "
             f"about ±{half_width(n):.1f} points; on the slices ({', '.join(f'{s} n={k}' for s, k in sizes.items())}) "
             "much wider. Δ is in points; p is the exact McNemar test of the run against the same seed's run of "
             "the step before (every run of step 4 for the ensemble), uncorrected for the number of tests.", ""]
    heads = slice_head_lines(steps)
    if heads:
        lines += ["Slice heads on their own slices (RTE dev):", *heads, ""]
    lines += ["Holdout accuracy after each epoch (mean over seeds), the curves that chose the checkpoints:", "",
              curve_table(steps), "", "Runs (in the workspace's runs folder, listed by the app):"]
    for st in steps:
        names = "; ".join(f"{r.name} (`{r.path.name}`: {run_cost(r.path)}{'; reused' if r.reused else ''})"
                          for r in st.runs)
        lines.append(f"- step {st.step}: {names}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mode", choices=("quick", "full"), default="quick")
    p.add_argument("--seeds", type=int, help="seeds per step (default: quick 2, full 5)")
    p.add_argument("--variant-seeds", type=int, help="seeds of step 4b (default: quick 2, full 5; as --seeds when "
                                                     "that is given)")
    p.add_argument("--steps", default="1,2,3,4,4b,5", help="which steps to run, e.g. 1,2")
    p.add_argument("--encoder", help="any Hugging Face encoder (hub name or folder) instead of the recipes'")
    p.add_argument("--pooling", choices=("mean", "cls"), help="instead of the recipes' (cls suits plain BERT)")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default); 1 is much "
                                                           "faster than 2 on a CPU other processes keep busy")
    p.add_argument("--workspace", type=Path, default=None, help="default: $MMTL_WORKSPACE or ./workspace (the app's)")
    p.add_argument("--functions-dir", type=Path, default=REPO / "labeling_functions",
                   help="where rte_slices.py is (default: the shipped labeling_functions/)")
    p.add_argument("--glue", type=Path, default=DEFAULT_GLUE, help="a folder in GLUE's layout")
    p.add_argument("--results", type=Path, default=DEFAULT_PAGE, help="the results page to write")
    p.add_argument("--max-rows", type=int, default=0, help="cap every split's rows (miniature runs for tests)")
    p.add_argument("--fresh", action="store_true", help="train every run again instead of reusing completed ones")
    p.add_argument("--prepare-only", action="store_true", help="register the datasets in the workspace and stop")
    p.add_argument("--select", action="store_true", help="train the candidate settings and compare them on the "
                                                          "holdout (seeds default to 1)")
    p.add_argument("--only", nargs="*", help="with --select: only these candidates (by label)")
    return p.parse_args(argv)


def run_ladder(args, workspace: Workspace, prepared: Prepared, out) -> tuple[str, str]:
    """Every wanted step, then the ensemble; returns (section, page text)."""
    wanted = [s.strip() for s in args.steps.split(",") if s.strip()]
    data = scored_split(prepared.rte, prepared.tasks[TARGET], workspace)
    default, default_variant = DEFAULT_SEEDS[args.mode]
    seeds = list(range(args.seeds or default))
    variant_seeds = list(range(args.variant_seeds if args.variant_seeds is not None else
                               default_variant if args.seeds is None else len(seeds)))
    done: dict[str, StepScore] = {}
    for step in STEPS:
        if step.key in wanted:
            starts = {r.seed: r.path for r in done["2"].runs} if "2" in done else {}
            done[step.key] = run_step(step, variant_seeds if step.key == "4b" else seeds, args, workspace,
                                      prepared, data, out, starts)
            if step.previous in done:
                done[step.key].comparisons = compare_steps(data, done[step.previous], done[step.key])
    if ENSEMBLE.key in wanted and "4" in done:
        ensemble = ensemble_step(done, args, workspace, prepared, data, out)
        if ensemble is not None:
            done[ENSEMBLE.key] = ensemble
    return f"ladder-{args.mode}", report(args, list(done.values()), data, workspace, args.minutes())


def holdout_rows(prepared: Prepared) -> int:
    return int((prepared.rte.frame["split"] == "dev").sum())


def run_select(args, workspace: Workspace, prepared: Prepared, out) -> tuple[str, str]:
    """Every candidate setting on the holdout; returns (section, page text). Never reads the reported rows."""
    chosen = [c for c in CANDIDATES if not args.only or c.label in args.only]
    scores = []
    for candidate in chosen:
        base = recipe_config(candidate.step, args, workspace)
        runs = []
        for seed in range(args.seeds or 1):
            cfg = candidate_config(base, candidate, seed)
            trained = train_or_reuse(cfg, prepared.fingerprints(), fresh=args.fresh, clock=time.perf_counter)
            runs.append(trained.path)
            how = "reused" if trained.reused else f"trained in {trained.seconds / 60:.1f} min:"
            print(f"{candidate.label} seed {seed}: {how} {trained.path.name}", file=out, flush=True)
        scores.append(score_candidate(candidate, runs, TARGET, prepared.rte.name))
    lines = [f"## Choosing the ladder's settings on the RTE holdout ({args.mode} mode)", "",
             provenance(args.threads, args.minutes(), encoder_text(args),
                        total_minutes([r for s in scores for r in s.runs])), "",
             f"Holdout accuracy ({holdout_rows(prepared)} pairs of RTE train, never trained on) after each epoch, "
             "mean over seeds. "
             "Candidates change the named recipe's settings:", "",
             *(f"- {c.label} (step {c.step}): {describe(c)}" for c in chosen), "", select_table(scores)]
    return f"ladder-select-{args.mode}", "\n".join(lines)


def main(argv: list[str] | None = None, out=sys.stdout) -> int:
    t0 = time.perf_counter()
    args = parse_args(argv)
    args.minutes = lambda: (time.perf_counter() - t0) / 60
    logging.getLogger("mmtl_core").setLevel(logging.WARNING)
    workspace = Workspace.at((args.workspace or default_root()).resolve(), args.functions_dir.resolve())
    try:
        prepared = prepare(workspace, args.glue, max_rows=args.max_rows)
        print(f"datasets in {workspace.root}: {', '.join(d.name for d in prepared.datasets.values())} "
              f"({'written: ' + ', '.join(prepared.written) if prepared.written else 'unchanged'})", file=out)
        if args.prepare_only:
            return 0
        section, text = (run_select if args.select else run_ladder)(args, workspace, prepared, out)
    except MMTLError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    write_section(args.results, section, text)
    print(text, file=out)
    print(f"results written to {args.results}", file=out)
    print(f"{section.replace('-', '_')}_minutes: {args.minutes():.1f}", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
