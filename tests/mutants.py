"""`make mutants MODULE=name`: mutmut 3 on one module or package of src/twolayer, its tests only.

mutmut reads its settings from pyproject's ``[tool.mutmut]`` (the whole of ``src`` is copied
into ``mutants/``, which the tests then import instead of the editable install). This script
adds the two settings that depend on the module: ``only_mutate`` (``src/twolayer/<name>.py`` or
every file of the package ``src/twolayer/<name>/``; ``<package>/<module>`` mutates one file of a
package) and the test files that run against the mutants (``[tool.twolayer.mutants]``, one entry
per module; a module of a package without its own entry takes the package's). It starts from
an empty ``mutants/`` (no result of an earlier run or commit is reused), runs ``mutmut run``
with the given number of workers and prints the counts that tests/MUTATION.md records.

With ``--survivors`` it keeps ``mutants/`` and re-runs only the mutants that the last run did
not kill (after tests were added), with the tests as they are now; the counts are then those of
the whole module, the earlier kills included. ``--tests`` replaces the module's test files, e.g.
by the node ids of the tests just added: the earlier tests did not kill the survivors, so running
only the new ones against them is enough (a survivor that no new test reaches counts as not
killed).

``--only FUNCTION ...`` runs (afresh) only the mutants of the named functions of the module
(``Class.method`` for a method; mutmut's glob ``twolayer.<module>.x_<function>__mutmut_*``),
e.g. those an earlier partial run did not reach; the counts are then those of these functions
only.

Usage: python tests/mutants.py MODULE [--max-children N] [--only FUNCTION ...]
       [--survivors [--tests NODE ...]]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the verdict of every mutant after the last run, earlier kills included (mutmut resets those
# it does not re-run when the test selection changes)
STATUSES = Path("mutants") / "twolayer-statuses.json"


def _tests_of(module: str) -> list[str]:
    table = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["twolayer"]["mutants"]
    # a module of a package (``gaussian/batched``) runs the package's tests unless listed itself
    package = module.split("/")[0]
    if module not in table and package in table:
        return list(table[package])
    if module not in table:
        raise SystemExit(
            f"MODULE must be one of {', '.join(sorted(table))} ([tool.twolayer.mutants] of "
            f"pyproject.toml lists the tests of each), got {module!r}"
        )
    return list(table[module])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module")
    parser.add_argument("--max-children", type=int, default=1)
    parser.add_argument("--survivors", action="store_true")
    parser.add_argument("--tests", nargs="+")
    parser.add_argument("--only", nargs="+", metavar="FUNCTION")
    args = parser.parse_args()
    if args.only and args.survivors:
        raise SystemExit("--only starts a fresh run; it cannot be combined with --survivors")
    if args.max_children < 1:
        raise SystemExit(f"--max-children must be >= 1, got {args.max_children}")
    tests = _tests_of(args.module)
    if args.tests:
        if not args.survivors:
            raise SystemExit("--tests needs --survivors (a full run uses the module's tests)")
        tests = args.tests
    if (ROOT / "src" / "twolayer" / args.module).is_dir():
        only = [f"src/twolayer/{args.module}/*.py"]
    elif (ROOT / "src" / "twolayer" / f"{args.module}.py").is_file():
        only = [f"src/twolayer/{args.module}.py"]
    else:
        raise SystemExit(
            f"MODULE must name a module or package of src/twolayer, got {args.module!r}"
        )

    os.chdir(ROOT)
    if not args.survivors:
        shutil.rmtree("mutants", ignore_errors=True)
    from mutmut import configuration

    cfg = configuration.config()
    cfg.only_mutate = only
    cfg.pytest_add_cli_args_test_selection = tests

    from mutmut.__main__ import _run

    before = _saved_statuses() if args.survivors else {}
    # the mutants the last run checked and did not kill (not those a partial run never reached)
    names = [k for k, s in before.items() if s not in ("killed", "timeout", "not checked")]
    if args.only:
        package = "twolayer." + args.module.replace("/", ".")
        package += ".*" if only[0].endswith("*.py") else ""
        # a method is named Class.method, which mutmut spells xǁClassǁmethod
        names = [f"{package}.x" + ("ǁ" + name.replace(".", "ǁ") if "." in name else "_" + name)
                 + "__mutmut_*" for name in args.only]
    start = time.monotonic()
    if names or not args.survivors:
        _run(names, args.max_children)
    elapsed = time.monotonic() - start
    # a changed test selection makes mutmut forget the earlier verdicts ("not checked"): those
    # mutants were killed by the earlier run and are not re-run
    statuses = {k: before.get(k, s) if s == "not checked" else s for k, s in _statuses().items()}
    STATUSES.write_text(json.dumps(statuses, indent=0, sort_keys=True))
    _summary(args.module, statuses, elapsed)


def _saved_statuses() -> dict[str, str]:
    """The verdicts of the last run of this script, or mutmut's own when there is none."""
    return json.loads(STATUSES.read_text()) if STATUSES.exists() else _statuses()


def _statuses() -> dict[str, str]:
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    out = {}
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        out.update({k: status_by_exit_code[c] for k, c in data.exit_code_by_key.items()})
    return out


def _summary(module: str, statuses: dict[str, str], elapsed: float) -> None:
    counts = Counter(statuses.values())
    total = sum(counts.values())
    killed, timeout = counts["killed"], counts["timeout"]
    tested = total - counts["skipped"]
    score = 100.0 * (killed + timeout) / tested if tested else 0.0
    print()
    print(f"module {module}: {total} mutants, {killed} killed, {counts['survived']} survived, "
          f"{timeout} timeout, {counts['no tests']} without tests, others {dict(counts)}")
    print(f"score (killed + timeout) / tested = {score:.1f}%, in {elapsed / 60:.1f} min")
    print("survivors: `.venv/bin/mutmut results` lists them, `.venv/bin/mutmut show NAME` one")


if __name__ == "__main__":
    sys.exit(main())
