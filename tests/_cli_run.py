"""``tpi ARGS`` in this process, for tests of what the CLI says and does rather than of the process.

click's CliRunner runs the same ``tpi_tui.cli.main`` (TpiGroup.main words every error and calls
``sys.exit``), with stdout and stderr captured apart; the answer has the shape of
``subprocess.run(..., capture_output=True, text=True)``. It saves the ~0.25 s of interpreter start
and imports that each ``python -m tpi_tui`` costs. Tests of the process itself (bare ``tpi`` on a
terminal, what an invocation imports, signals, git calling the merge driver) keep a subprocess.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tpi_tui.cli import main


def tpi_in_process(*args: str, cwd: Path, env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess:
    """``env``: variables set for the call (None: removed), as a subprocess's environment would be."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        for key, value in (env or {}).items():
            if value is None:
                mp.delenv(key, raising=False)
            else:
                mp.setenv(key, value)
        result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback the user would have seen: the test fails on it
    return subprocess.CompletedProcess(["tpi", *args], result.exit_code, result.stdout, result.stderr)
