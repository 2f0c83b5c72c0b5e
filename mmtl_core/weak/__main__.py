"""``python -m mmtl_core.weak report --dataset NAME --task NAME [--modules FILE ...] [--json]``

Prints what the Labeling functions page shows for a dataset's task, computed by the page's own code: the
function summary, majority vote and the label model on dev (all rows and covered rows, with the rule they follow),
the warnings and the training labels' size. It reads the workspace the app uses ($MMTL_WORKSPACE, else
./workspace) and its functions folder ($MMTL_FUNCTIONS_DIR, else ./labeling_functions); the modules are the
dataset/task's module set unless --modules names others.

Exit status: 0 reported; 1 reported, but a module did not load or a function raised, timed out or returned a bad
value (a CI check fails); 2 nothing to report: a name or the workspace is wrong (the message says which).
"""

from __future__ import annotations

import argparse
import sys

from mmtl_core.errors import MMTLError
from mmtl_core.studio.headless import as_json, as_text, headless_report
from mmtl_core.workspace import Workspace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mmtl_core.weak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="what the Labeling functions page shows, as text or JSON")
    report.add_argument("--dataset", required=True, help="a dataset of the workspace, by the name the app shows")
    report.add_argument("--task", required=True, help="one of the dataset's tasks, by name")
    report.add_argument("--modules", nargs="+", metavar="FILE",
                        help="module files of the functions folder (default: the dataset/task's module set)")
    report.add_argument("--json", action="store_true", help="print JSON (undefined metrics are null)")
    args = parser.parse_args(argv)
    try:
        result = headless_report(Workspace.from_env(), args.dataset, args.task, args.modules)
    except MMTLError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(as_json(result) if args.json else as_text(result), end="" if not args.json else "\n")
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
