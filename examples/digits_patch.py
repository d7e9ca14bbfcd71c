"""Patch a trained MLP on scikit-learn's digits: N labels changed, certified, exported to ONNX, run.

    python examples/digits_patch.py [OUTDIR]

The same as ``ftcexact demo --real``; see ftcexact/cli/demo_real.py for the steps.
"""

import sys

from ftcexact.cli.demo_real import run_real_demo

if __name__ == "__main__":
    sys.exit(run_real_demo(sys.argv[1] if len(sys.argv) > 1 else None))
