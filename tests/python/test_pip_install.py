"""`pip install .` on this checkout, then the README's Python example with the installed package.

The package is built into a throwaway venv (with the system site-packages, so nanobind,
scikit-build-core and numpy come from the machine) with --no-build-isolation, reusing ccache so
the C++ objects are not compiled again. BRISK_SKIP_PIP_TEST=1 skips it.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def readme_python_example() -> str:
    text = (REPO / "README.md").read_text()
    section = text[text.index("\n## Python"):]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "README's Python section has no ```python example"
    return match.group(1)


@pytest.mark.skipif(os.environ.get("BRISK_SKIP_PIP_TEST") == "1", reason="BRISK_SKIP_PIP_TEST=1")
def test_pip_install_then_readme_example(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=120)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # not the build tree
    env.update(CCACHE_BASEDIR=str(REPO),
               CCACHE_DIR=os.environ.get("CCACHE_DIR", str(Path.home() / ".cache" / "ccache")),
               CMAKE_BUILD_PARALLEL_LEVEL=str(os.cpu_count() or 2))
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-build-isolation", "--no-deps", "-q",
         "--disable-pip-version-check", "-Ccmake.define.BRISK_WERROR=ON", str(REPO)],
        capture_output=True, text=True, env=env, timeout=1800)
    assert install.returncode == 0, install.stdout[-4000:] + install.stderr[-4000:]

    where = subprocess.run([str(python), "-c", "import brisk, os; print(brisk.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert where.returncode == 0, where.stderr
    assert str(venv) in where.stdout, f"imported brisk from {where.stdout.strip()}, not the venv"
    installed = Path(where.stdout.strip()).parent
    assert (installed / "_brisk.pyi").is_file() and (installed / "py.typed").is_file()

    example = subprocess.run([str(python), "-c", readme_python_example()], capture_output=True,
                             text=True, env=env, cwd=REPO, timeout=300)
    assert example.returncode == 0, example.stderr
    assert "accuracy" in example.stdout
