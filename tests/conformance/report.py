#!/usr/bin/env python3
"""Turns conformance results into docs/CONFORMANCE.md and gates regressions.

  report.py --brisk brisk.json --ort ort.json --write-docs docs/CONFORMANCE.md --update-expected
  report.py --brisk brisk.json --check     # CI: fail if a test in expected_passing.txt fails now

brisk.json comes from `conformance_runner --json`; ort.json from ort_baseline.py.
"""
import argparse
import collections
import datetime
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "expected_passing.txt")


def source_of(test_dir_root):
    return "debian" if test_dir_root.startswith("/usr/share/libonnx-testdata") else "pip-onnx"


def key(source, name):
    return f"{source}/{name}"


def load_brisk(path):
    results = {}
    for r in json.load(open(path)):
        results[key(source_of(r["dir"]), r["name"])] = r
    return results


def load_ort(path):
    out = {}
    for test_dir, status in json.load(open(path)).items():
        root, name = os.path.split(test_dir.rstrip("/"))
        out[key(source_of(root), name)] = status
    return out


def check(brisk):
    expected = [l.strip() for l in open(EXPECTED) if l.strip() and not l.startswith("#")]
    missing = [k for k in expected if k not in brisk]
    regressed = [k for k in expected if k in brisk and brisk[k]["status"] != "PASS"]
    for k in regressed:
        print(f"REGRESSION {k}: {brisk[k]['status']} {brisk[k]['message'][:300]}")
    for k in missing:
        print(f"MISSING {k}: listed in expected_passing.txt but not run")
    passed = sum(1 for r in brisk.values() if r["status"] == "PASS")
    print(f"conformance: {passed} passed, {len(regressed) + len(missing)} failed "
          f"(of {len(expected)} expected to pass; {len(brisk)} run)")
    return 1 if regressed or missing else 0


def ort_version():
    try:
        import onnxruntime
        return onnxruntime.__version__
    except ImportError:
        return "(not installed)"


def write_docs(brisk, ort, path, command):
    counts = collections.Counter(r["status"] for r in brisk.values())
    ort_pass = [k for k, v in ort.items() if v == "PASS"]
    both = [k for k in ort_pass if brisk.get(k, {}).get("status") == "PASS"]
    per_op = collections.defaultdict(collections.Counter)
    for r in brisk.values():
        for op in r["ops"] or ["(none)"]:
            per_op[op][r["status"]] += 1
    lines = [
        "# ONNX conformance",
        "",
        "brisk runs the ONNX backend node tests: the ones inside the pip `onnx` package "
        "(`onnx/backend/test/data/node`) and Debian's `libonnx-testdata` "
        "(`/usr/share/libonnx-testdata/data/node`). Each test's model is loaded, run on the "
        "test's inputs with every kernel output checked against shape inference, and compared "
        "with the expected outputs (rtol 1e-3, atol 1e-7, the ONNX backend defaults).",
        "",
        f"Generated {datetime.date.today().isoformat()} by:",
        "```",
        command,
        "```",
        "",
        "## Summary",
        "",
        f"| | tests |",
        f"|---|---|",
        f"| run | {len(brisk)} |",
        f"| passed | {counts['PASS']} |",
        f"| failed | {counts['FAIL']} |",
        f"| unsupported | {counts['UNSUPPORTED']} |",
        f"| crashed | {counts['CRASH']} |",
        "",
        f"onnxruntime {ort_version()} passes {len(ort_pass)} of the same tests on "
        f"this machine; brisk passes **{len(both)} of those ({100.0 * len(both) / max(1, len(ort_pass)):.1f}%)**"
        f" and {counts['PASS'] - len(both)} that onnxruntime does not.",
        "",
        "CI fails when a test listed in `tests/conformance/expected_passing.txt` stops passing.",
        "",
        "## Not passing, and why",
        "",
        "| test | status | reason |",
        "|---|---|---|",
    ]
    for k in sorted(brisk):
        r = brisk[k]
        if r["status"] == "PASS":
            continue
        msg = r["message"].replace("|", "\\|").replace("\n", " ")
        # Drop the absolute model path to keep the table readable.
        msg = msg.split("model.onnx: ", 1)[-1][:220]
        lines.append(f"| {k} | {r['status']} | {msg} |")
    lines += ["", "## Per op", "",
              "Counts of tests whose model uses the op (a test using several ops counts for each).",
              "", "| op | passed | failed | unsupported | crashed |", "|---|---|---|---|---|"]
    for op in sorted(per_op):
        c = per_op[op]
        lines.append(f"| {op} | {c['PASS']} | {c['FAIL']} | {c['UNSUPPORTED']} | {c['CRASH']} |")
    open(path, "w").write("\n".join(lines) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--brisk", required=True)
    p.add_argument("--ort")
    p.add_argument("--check", action="store_true")
    p.add_argument("--write-docs")
    p.add_argument("--update-expected", action="store_true")
    p.add_argument("--command", default="bash scripts/conformance.sh --update")
    args = p.parse_args()
    brisk = load_brisk(args.brisk)
    if args.check:
        sys.exit(check(brisk))
    if args.write_docs:
        ort = load_ort(args.ort)
        write_docs(brisk, ort, args.write_docs, args.command)
    if args.update_expected:
        passing = sorted(k for k, r in brisk.items() if r["status"] == "PASS")
        with open(EXPECTED, "w") as f:
            f.write("# ONNX node tests brisk passes; CI fails if one of them stops passing.\n")
            f.write("# Regenerate with: bash scripts/conformance.sh --update\n")
            f.write("\n".join(passing) + "\n")


if __name__ == "__main__":
    main()
