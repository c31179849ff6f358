"""brisk serve with the KServe project's own v2 clients (`kserve.InferenceRESTClient` and
`kserve.InferenceGRPCClient`), compared with onnxruntime. The clients run in a subprocess
(kserve_client_check.py): kserve and tritonclient cannot share an interpreter."""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from server_fixtures import DIGITS, Server, check_clean_exit

if importlib.util.find_spec("kserve") is None:
    pytest.skip("the kserve package is not installed", allow_module_level=True)


def test_kserve_rest_and_grpc_clients(brisk_bin, tmp_path):
    (tmp_path / "digits" / "1").mkdir(parents=True)
    shutil.copyfile(DIGITS, tmp_path / "digits" / "1" / "model.onnx")
    server = Server(brisk_bin, tmp_path)
    try:
        check = subprocess.run(
            [sys.executable, str(Path(__file__).with_name("kserve_client_check.py")),
             str(server.http_port), str(server.grpc_port), str(DIGITS),
             str(DIGITS.parent / "test_images.npy")],
            capture_output=True, text=True, timeout=120)
    finally:
        check_clean_exit(server)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "rest ok" in check.stdout and "grpc ok" in check.stdout
