"""`brisk ops` lists the registered ops with their opset ranges."""
import re


def test_ops_lists_core_ops_with_opset_ranges(run_brisk):
    proc = run_brisk("ops")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    table = {tuple(l.split()[:2]): l for l in lines[:-1]}
    for op in ["Conv", "MatMul", "LSTM", "If", "Loop", "Resize", "QuantizeLinear"]:
        assert ("ai.onnx", op) in table, op
    assert re.search(r"opsets \d+\+", table[("ai.onnx", "Conv")])
    assert ("ai.onnx.ml", "TreeEnsemble") in table
    count = int(re.match(r"(\d+) ops", lines[-1]).group(1))
    assert count == len(table) and count > 150
