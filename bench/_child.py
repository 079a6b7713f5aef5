"""`python -m bench._child -- CMD ...`: run CMD, then print one JSON line with its wall
time, peak resident set size (from RUSAGE_CHILDREN, so only CMD's) and exit code."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    cmd = argv[argv.index("--") + 1:] if "--" in argv else argv
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # ru_maxrss is KiB on Linux and bytes on macOS.
    maxrss_mb = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    print(json.dumps({
        "seconds": seconds, "max_rss_mb": maxrss_mb, "user_s": usage.ru_utime, "system_s": usage.ru_stime,
        "returncode": proc.returncode, "stderr_tail": proc.stderr[-3000:],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
