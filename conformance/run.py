"""Run the official conformance runner over every combination in ``conformance/configs/``.

From the repository root, inside the project's environment::

    python -m conformance.run                        # every combination
    python -m conformance.run server-asgi-uvicorn    # the combinations whose name contains this
    python -m conformance.run --exclude hypercorn    # all but those whose name contains this

A config's file name says what it runs: ``server-F-S.yaml`` starts
``python -m conformance.server --framework F --server S`` (``server-F-S-sync.yaml`` adds
``--service sync``) and ``client-MODE-T.yaml`` starts
``python -m conformance.client --transport T --mode MODE``. A ``known-flaky-NAME.txt`` beside a
config lists the cases that may fail in that combination (``known-flaky-server.txt`` and
``known-flaky-client.txt``: in every server or client combination), each with its reason.

The runner is ``$CONNECTCONFORMANCE`` when set, else ``connectconformance`` on the ``PATH`` or
in Go's ``bin`` folder (``go install connectrpc.com/conformance/cmd/connectconformance@v1.0.5``).
Each combination's output goes to ``conformance/logs/NAME.log``. The exit status is 1 when
any combination has a failure.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
CONFIGS = ROOT / "configs"
LOGS = ROOT / "logs"
RUNNER_VERSION = "v1.0.5"
TIME_LIMIT_SECONDS = 900

_SERVER = re.compile(
    r"^server-(?P<framework>[a-z]+(?:-[aw]sgi)?)-(?P<server>[a-z]+)(?P<sync>-sync)?$"
)
_CLIENT = re.compile(r"^client-(?P<mode>sync|async)-(?P<transport>[a-z0-9-]+)$")
_SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed", re.MULTILINE)


@dataclass(frozen=True)
class Combination:
    """One config file and the program it tests."""

    name: str
    config: Path
    mode: str
    command: list[str]

    def runner_command(self, runner: str) -> list[str]:
        """The runner's command line for this combination."""
        command = [runner, "--conf", str(self.config), "--mode", self.mode]
        for name in (self.mode, self.name):
            flaky = self.config.with_name(f"known-flaky-{name}.txt")
            if flaky.exists():
                command += ["--known-flaky", f"@{flaky}"]
        return [*command, "--", *self.command]


def combination(config: Path) -> Combination:
    """The combination a config file's name describes."""
    name = config.stem
    python = [sys.executable, "-m"]
    if match := _SERVER.match(name):
        command = [
            *python,
            "conformance.server",
            "--framework",
            match["framework"],
            "--server",
            match["server"],
        ]
        if match["sync"]:
            command += ["--service", "sync"]
        return Combination(name, config, "server", command)
    if match := _CLIENT.match(name):
        command = [
            *python,
            "conformance.client",
            "--transport",
            match["transport"],
            "--mode",
            match["mode"],
        ]
        return Combination(name, config, "client", command)
    raise SystemExit(
        f"{config}: name it server-FRAMEWORK-SERVER[-sync].yaml or client-MODE-TRANSPORT.yaml"
    )


def find_runner() -> str:
    """The ``connectconformance`` executable, or exit saying how to install it."""
    explicit = os.environ.get("CONNECTCONFORMANCE")
    if explicit:
        return explicit
    found = shutil.which("connectconformance")
    if found:
        return found
    gopath = os.environ.get("GOPATH") or str(Path.home() / "go")
    candidate = Path(gopath) / "bin" / "connectconformance"
    if candidate.exists():
        return str(candidate)
    raise SystemExit(
        "connectconformance not found: install it with `go install "
        f"connectrpc.com/conformance/cmd/connectconformance@{RUNNER_VERSION}` "
        "or point $CONNECTCONFORMANCE at it"
    )


def run(combo: Combination, runner: str) -> tuple[bool, tuple[int, int], str]:
    """Run one combination: whether it passed, its case counts, and its summary line."""
    LOGS.mkdir(exist_ok=True)
    log = LOGS / f"{combo.name}.log"
    start = time.monotonic()
    with log.open("wb") as out:
        try:
            result = subprocess.run(
                combo.runner_command(runner),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=TIME_LIMIT_SECONDS,
                check=False,
            )
            code: int | None = result.returncode
        except subprocess.TimeoutExpired:
            code = None
    seconds = time.monotonic() - start
    text = log.read_text(errors="replace")
    counts = _SUMMARY.findall(text)
    passed, failed = (int(n) for n in counts[-1]) if counts else (0, 0)
    if code is None:
        summary = f"timed out after {TIME_LIMIT_SECONDS} s"
    elif counts:
        summary = f"{passed} passed, {failed} failed"
    else:
        summary = f"runner exited with {code} and no summary"
    line = f"{combo.name}: {summary} ({seconds:.0f} s; log: {log.relative_to(ROOT.parent)})"
    return code == 0, (passed, failed), line


def main(argv: list[str] | None = None) -> int:
    """Run the selected combinations one after another and report each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "only", nargs="*", help="run only the combinations whose name contains one of these"
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        help="leave out the combinations whose name contains this (repeatable)",
    )
    args = parser.parse_args(argv)
    combos = [combination(path) for path in sorted(CONFIGS.glob("*.yaml"))]
    if args.only:
        combos = [c for c in combos if any(part in c.name for part in args.only)]
    combos = [c for c in combos if not any(part in c.name for part in args.exclude)]
    if not combos:
        raise SystemExit("no combination matches")
    runner = find_runner()
    failures = cases_passed = cases_failed = 0
    for combo in combos:
        ok, (passed, failed), line = run(combo, runner)
        failures += not ok
        cases_passed += passed
        cases_failed += failed
        print(("PASS " if ok else "FAIL ") + line, flush=True)
    print(f"{len(combos) - failures} of {len(combos)} combinations passed")
    print(f"conformance: {cases_passed} passed, {cases_failed} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
