"""Shared fixtures for brisk's Python tests: locating the brisk CLI and running it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BRISK = REPO_ROOT / "build" / "tools" / "brisk" / "brisk"

# Importable as `models` from the test modules whatever pytest's import mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _find_brisk() -> Path | None:
    env = os.environ.get("BRISK_BIN")
    path = Path(env) if env else DEFAULT_BRISK
    return path if path.is_file() and os.access(path, os.X_OK) else None


@pytest.fixture(scope="session")
def brisk_bin() -> Path:
    path = _find_brisk()
    if path is None:
        where = (f"BRISK_BIN={os.environ['BRISK_BIN']}" if os.environ.get("BRISK_BIN")
                 else f"{DEFAULT_BRISK} (set BRISK_BIN to use another build)")
        pytest.skip(f"brisk CLI binary not found or not executable: {where}; "
                    f"build it with `ninja -C build brisk_cli`")
    return path


@pytest.fixture(scope="session")
def run_brisk(brisk_bin):
    """run_brisk(*args, timeout=...) -> CompletedProcess with text stdout/stderr (never raises on
    a non-zero exit; the caller checks returncode)."""

    def run(*args, timeout: float = 300):
        return subprocess.run([str(brisk_bin), *map(str, args)], capture_output=True, text=True,
                              timeout=timeout)

    return run


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Prints the max abs/rel error the oracle tests recorded (record_property 'errors')."""
    rows = []
    for key in ("passed", "failed", "xfailed", "xpassed"):
        for report in terminalreporter.stats.get(key, []):
            if getattr(report, "when", "call") != "call":
                continue
            for name, value in getattr(report, "user_properties", []):
                if name == "errors":
                    rows.append((report.nodeid.split("::")[-1], key, value))
    if not rows:
        return
    terminalreporter.section("brisk vs onnxruntime: max errors per output")
    for test, outcome, errors in rows:
        for output, (abs_err, rel_err) in errors.items():
            terminalreporter.write_line(
                f"{test:48s} {outcome:8s} {output:10s} max abs {abs_err:.3g}  max rel {rel_err:.3g}")
