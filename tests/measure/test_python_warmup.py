"""The fork server's warm-up, run as the server runs it: it must leave nothing a job could notice or
pay for (no module, no file, no garbage for the collector, the real streams back)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from perfcoder.measure import forkserver

AS_THE_SERVER = """
import gc, os, sys
from perfcoder.measure import python_forkserver as server
server.WARM_UP, server.WARM_UP_INPUT = sys.argv[1], sys.argv[2]
gc.collect()
modules, streams = set(sys.modules), (sys.stdin, sys.stdout)
server.warm_up()
print(gc.collect(), sorted(set(sys.modules) - modules), (sys.stdin, sys.stdout) == streams)
print(os.path.exists(server.WARM_UP_INPUT))
"""


def test_the_warm_up_leaves_nothing_behind(tmp_path: Path) -> None:
    input_path = tmp_path / "warm-up-input"
    ran = subprocess.run(
        [sys.executable, "-c", AS_THE_SERVER, str(forkserver.WARM_UP), str(input_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    # no unreachable objects, no new module, the real stdin and stdout; its input file removed
    assert ran.stdout == "0 [] True\nFalse\n"
