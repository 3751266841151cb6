"""Runs one command and measures it the same way whatever it is (bench/replay.ts runs driftwatch,
the numpy/scipy peer and Evidently through it): wall time from just before the child starts to
just after it is reaped, and its peak resident set size from `getrusage(RUSAGE_CHILDREN)`, which
after the single wait is the child's own (or its largest waited-for descendant's) maximum.

    python measure.py --log FILE -- COMMAND [ARG...]

The child's output goes to FILE. Prints one JSON line: {"wall_seconds", "max_rss_bytes", "exit_code"}.
Exits 0 whatever the child did: the caller reads exit_code.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--log", required=True, help="file that receives the command's stdout and stderr")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    with open(args.log, "wb") as log:
        started = time.perf_counter()
        # No shell: the measured process is the command itself, not a shell around it.
        child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    # wait4 reports the child's own usage; RUSAGE_CHILDREN also covers descendants it waited for.
    peak_kb = max(usage.ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    exit_code = os.waitstatus_to_exitcode(status)
    child.returncode = exit_code  # already reaped: keep Popen from waiting again
    print(json.dumps({"wall_seconds": wall, "max_rss_bytes": peak_kb * 1024, "exit_code": exit_code}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
