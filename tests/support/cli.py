"""Running the `tandem` command against a test server's database, as an operator would.

In this process (`tandem.cli.main` with its output captured): a fresh interpreter per call cost
a second or more of imports each, and the command's code is the same. `tests/test_cli.py`
runs the real executable."""

from __future__ import annotations

import contextlib
import io
import subprocess

from support.server import RunningServer
from tandem.cli import main


def tandem(
    server: RunningServer, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    argv = ["--data-dir", str(server.data_dir), "--database-url", server.database.url, *args]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse refusing the arguments
            code = exit_.code if isinstance(exit_.code, int) else 2
    done = subprocess.CompletedProcess(["tandem", *argv], code, out.getvalue(), err.getvalue())
    if check and done.returncode != 0:
        raise AssertionError(f"tandem {' '.join(args)} failed: {done.stderr}")
    return done
