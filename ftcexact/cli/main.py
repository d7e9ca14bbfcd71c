"""The ``ftcexact`` command line.

Every subcommand reports bad input as one line on stderr with exit code 2,
writes output files atomically, and leaves verdicts to the trusted verifier.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

from ..dataset import DatasetError, dataset_to_json, load_dataset, random_dataset
from ..kernel.numbers import RationalError
from ..network import NetworkError

__all__ = ["main"]


class UsageError(Exception):
    """Bad command-line input (reported like bad data)."""


#: Exceptions that mean bad input: one line on stderr, exit 2.  Command modules may extend it.
INPUT_ERRORS = [UsageError]

#: Sizes the commands accept (docs/certificate.md, "Command-line sizes"): past them a run would take
#: minutes or more, or write a file the kernel refuses.
MAX_POINTS = 10**6           # generate --K, lower-bound --K (the kernel's cap on lower-bound datasets)
MAX_PARTITION_K = 10**5      # partition --K (it prints the whole partition)
MAX_DIMENSION = 10**4        # generate --d
MAX_ENTRIES = 10**6          # generate --d times --K (about 7 s)
MAX_SEARCH_K = 64            # search --K (one candidate of K = 64 takes 4 to 15 s; K = 128 a minute)
MAX_RATIONAL_SIZE = 10**9    # generate --denominator and --magnitude


def check_size(name, value, low, high, why=""):
    """Refuse a command-line size outside ``low..high`` with a clear message."""
    if not low <= value <= high:
        raise UsageError(f"--{name} must be between {low} and {high}{why}, got {value}")


def _int_list(text):
    try:
        return [int(v) for v in text.replace(" ", "").split(",") if v]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


VERDICTS = {0: "VERIFIED", 1: "NOT VERIFIED", 2: "MALFORMED"}


def kernel_json(code, out, err):
    """The ``--json`` object of a kernel run (``verify``, ``check-refutation``): verdict, exit, lines, reason.

    Examples
    --------
    >>> kernel_json(1, "c dataset: K = 3\\nc FAIL: g(x_1) = 1\\ns NOT VERIFIED\\n", "")["reason"]
    'g(x_1) = 1'
    """
    lines = [line for line in out.splitlines() if line.startswith("c ")]
    if code == 1:
        reason = next((line[len("c FAIL: "):] for line in lines if line.startswith("c FAIL: ")), "")
    else:
        reason = err.strip().splitlines()[-1] if code and err.strip() else ""
    return {"verdict": VERDICTS.get(code, "INTERNAL ERROR"), "exit": code, "lines": lines, "reason": reason}


def run_kernel(work, args, command):
    """Run ``work(out, err)`` (a trusted-kernel check printing the lrat-check way); keep its exit code.

    Without ``--json`` the kernel's lines go to stdout/stderr as it prints them; on a terminal a status line
    on stderr shows the last ``c`` line and the elapsed time.  With ``--json`` one object is printed.
    """
    import io
    from .progress import Stages, StageStream
    out = io.StringIO() if args.json else sys.stdout
    err = io.StringIO() if args.json else sys.stderr
    with Stages(command) as stages:
        code = work(StageStream(out, stages), err)
    if args.json:
        if code >= 2:  # bad input still gives its one line on stderr
            print(err.getvalue().strip(), file=sys.stderr)
        print(json.dumps(kernel_json(code, out.getvalue(), err.getvalue())))
    return code


def cmd_verify(args):
    """The trusted kernel; it dispatches on the parsed ``format`` (certificates, refutations)."""
    from ..kernel.verify import run
    return run_kernel(lambda out, err: run(args.certificate, out=out, err=err), args, "verify")


def _rational_list(text, name):
    from ..kernel.numbers import parse_rational
    try:
        return [parse_rational(v.strip()) for v in text.split(",")]
    except RationalError as e:
        raise UsageError(f"--{name}: {e}") from None


def cmd_certify(args):
    from .progress import Stages
    check_output(args.output, args.dataset, args.frozen)
    with Stages("certify", show=not args.json) as stages:
        stages.stage(f"reading {os.path.basename(args.dataset)}")
        return _certify(args, stages)


def _certify(args, stages):
    from ..certificate import file_reference, summary, write_json_atomic
    from ..constructions import certify
    from ..dataset import with_frozen
    arrays = str(args.dataset).lower().endswith(".npz")  # kept as an array, referenced by the certificate
    ds = load_dataset(args.dataset, classes=args.classes, arrays=arrays)
    args.reference = args.reference or arrays
    if ds.keeps and not args.frozen:
        raise UsageError(f"{ds.keeps} labels keep the frozen network's value (null/NaN/-1): give --frozen MODEL")
    if args.reference and str(args.dataset).lower().endswith(".csv"):
        raise UsageError("--reference needs a JSON or .npz dataset (the verifier does not read CSV); "
                         "embed the CSV data by leaving out --reference")
    frozen_ref = None
    if args.frozen:
        from ..models.frozen import frozen_reference
        if ds.f is not None:
            raise UsageError("the dataset gives f-values and --frozen gives a network: use one of them")
        stages.stage(f"reading the frozen network {os.path.basename(args.frozen)}")
        f_net, frozen_ref = frozen_reference(args.frozen, args.output, args.frozen_out)
        ds = with_frozen(ds, f_net)
    ref = None
    if args.reference:
        ref = file_reference(args.dataset, args.output)
        if args.classes:
            ref["classes"] = args.classes
    options = {"layers": args.layers} if args.layers is not None else {}
    if args.activation is not None:
        options["activation"] = args.activation
    direction = _rational_list(args.direction, "direction") if args.direction else None
    stages.stage(f"building {args.construction} on K = {ds.K} points")
    cert, net = certify(ds, args.construction, dataset_ref=ref, frozen_ref=frozen_ref, direction=direction,
                        return_network=True, **options)
    stages.stage(f"writing {os.path.basename(args.output)}")
    write_json_atomic(cert, args.output)
    stages.stage("summarising g")
    info = dict(summary(cert, ds, net), certificate=args.output, frozen=frozen_ref)
    stages.close()
    if args.json:
        print(json.dumps(info))
        return 0
    print(f"{args.construction}: K = {info['K']}, d = {info['d']}, N = {info['N']}"
          + (f" ({info['keeps']} labels keep f)" if info["keeps"] else "")
          + f", neurons = {info['neurons']} (widths {info['widths']}), statement = {info['statement'] or 'none'}")
    print(f"weights: up to {info['max_weight_bits']} bits (largest |w| = {info['max_abs_weight']}); "
          f"|g| between the data <= {info['g_between_data'] or '?'} (targets up to {info['max_abs_target']})")
    if frozen_ref:
        print(f"frozen network: {frozen_ref['path']}" + (f" (exact conversion of {frozen_ref['source']['path']})"
                                                          if "source" in frozen_ref else ""))
    for w in info["warnings"]:
        print(f"warning: {w}")
    print(f"certificate: {args.output}   (check it: ftcexact verify {args.output})")
    return 0


def cmd_generate(args):
    from ..certificate import write_json_atomic
    check_size("K", args.K, 1, MAX_POINTS)
    check_size("d", args.d, 1, MAX_DIMENSION)
    check_size("N", args.N, 0, args.K, " (N <= K)")
    check_size("d times --K", args.d * args.K, 1, MAX_ENTRIES)
    check_size("denominator", args.denominator, 1, MAX_RATIONAL_SIZE)
    check_size("magnitude", args.magnitude, 1, MAX_RATIONAL_SIZE, " (labels on T must be nonzero)")
    values = args.denominator * (2 * args.magnitude * args.denominator + 1)  # at most this many coordinates
    if values ** min(args.d, 64) < args.K:
        raise UsageError(f"cannot draw {args.K} distinct points in dimension {args.d} with --magnitude "
                         f"{args.magnitude} and --denominator {args.denominator}: raise them")
    ds = random_dataset(args.d, args.K, args.N, seed=args.seed, denominator=args.denominator,
                        magnitude=args.magnitude, with_f=args.with_f)
    write_json_atomic(dataset_to_json(ds), args.output)
    if args.json:
        print(json.dumps({"output": args.output, "d": ds.d, "K": ds.K, "N": ds.N, "seed": args.seed,
                          "with_f": args.with_f}))
        return 0
    T = list(ds.T)
    shown = ", ".join(map(str, T[:GENERATE_SHOWN])) + (", ..." if len(T) > GENERATE_SHOWN else "")
    print(f"dataset d = {ds.d}, K = {ds.K}, N = {ds.N}, T = {{{shown}}} -> {args.output}")
    return 0


#: How many indices of T ``generate`` prints (the file has all of them, as y != f).
GENERATE_SHOWN = 8


def cmd_partition(args):
    from ..analysis.partitions import (consecutive_partition, dropped_indices, kept_indices,
                                       lemma_4_6_holds, lemma_4_7_holds, theorem_4_4_neurons)
    K, T = args.K, sorted(set(args.T))
    check_size("K", K, 1, MAX_PARTITION_K)
    if K < 1 or any(not 1 <= i <= K for i in T):
        raise UsageError(f"T must be a subset of {{1..{K}}}")
    rest = [i for i in range(1, K + 1) if i not in T]
    report = {"K": K, "T": T, "N": len(T), "partition": consecutive_partition(rest),
              "kept": kept_indices(K, T), "dropped": dropped_indices(K, T),
              "theorem_4_4_neurons": theorem_4_4_neurons(K, T), "theorem_4_1_upper": min(3 * len(T) + 1, K - 1),
              "lemma_4_6": lemma_4_6_holds(K, rest), "lemma_4_7": lemma_4_7_holds(K, T)}
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:>20}: {value}")
    return 0


def cmd_demo(args):
    if args.real:
        from .demo_real import run_real_demo
        return run_real_demo(args.outdir, as_json=args.json)
    from .demo import run_demo
    return run_demo(args.outdir, as_json=args.json)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that reads ``-1/2,3`` or ``-.5`` after an option as its value, not as an option.

    argparse takes only ``-1`` and ``-1.5`` for negative numbers; rationals and comma-separated
    vectors (``--point -1/2,3``, ``--direction -1,2``, ``--segment -1,2``) start with ``-`` too.
    No ftcexact option starts with a digit or a dot, so nothing is lost.  Subcommand parsers
    inherit the class.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        import re
        self._negative_number_matcher = re.compile(r"^-\.?\d")


#: ``--json`` help, the same everywhere.
JSON_HELP = "print one JSON object instead of text (fields: docs/cli.md; default: text)"


def build_parser():
    from ..constructions import CONSTRUCTIONS
    from .. import __version__
    p = Parser(prog="ftcexact", description=__doc__.splitlines()[0],
               epilog="Exit codes: 0 success (s VERIFIED), 1 s NOT VERIFIED (or a failed run), 2 bad input "
                      "(one line on stderr), 3 internal error, 4 no answer within a time limit "
                      "(min-width --method z3 --timeout). Every command takes --json (docs/cli.md).")
    p.add_argument("--version", action="version", version=f"ftcexact {__version__}",
                   help="print the version and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("demo", help="certify and verify built-in examples and print a table")
    s.add_argument("--outdir", default=None, help="keep the certificates in this folder (default: a temporary one)")
    s.add_argument("--real", action="store_true",
                   help="patch a trained scikit-learn MLP on the bundled digits, export to ONNX, run onnxruntime "
                        "(needs the examples extra; default: the small built-in instances)")
    s.add_argument("--json", action="store_true", help=JSON_HELP)
    s.set_defaults(func=cmd_demo)

    from ..constructions import DESCRIPTION
    constructions = "\n".join(f"  {name:<19} {DESCRIPTION[name]}" for name in sorted(CONSTRUCTIONS))
    s = sub.add_parser("certify", help="build a fine-tuning network g and write its certificate",
                       description="Build the network g of a construction so that f + g fits the data exactly, "
                                   "and write a certificate the trusted verifier checks.\n\nconstructions:\n"
                                   + constructions, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("dataset", help="JSON, CSV or .npz dataset (x, y, optional f; null/NaN labels keep f's value)")
    s.add_argument("--construction", default="two-layer", choices=sorted(CONSTRUCTIONS), metavar="NAME",
                   help="which construction (listed above; default: two-layer)")
    s.add_argument("-o", "--output", required=True, help="the certificate file to write (.json; required)")
    s.add_argument("--frozen", metavar="MODEL", default=None,
                   help="the frozen network f (.onnx, .nnet, .safetensors, .npz, .json); its values are computed "
                        "exactly and the certificate references it (default: f-values from the dataset, or 0)")
    s.add_argument("--frozen-out", metavar="FILE", default=None,
                   help="where to write f's exact JSON when MODEL is not one (default: OUTPUT with .frozen.json)")
    s.add_argument("--classes", type=int, default=None, metavar="C",
                   help="labels are integer classes 0..C-1 (-1: keep f's value), read as one-hot (default: off)")
    s.add_argument("--direction", default=None, metavar="A1,...,Ad",
                   help="fix the projection t = a . x (comma-separated rationals; default: chosen for float "
                        "deployment, see ftcexact/constructions/projection.py)")
    s.add_argument("--reference", action="store_true",
                   help="reference the dataset file by path and sha256 instead of embedding it (default: embed)")
    s.add_argument("--layers", type=int, default=None,
                   help="number of layers, for deep constructions (default: the construction's own)")
    s.add_argument("--activation", default=None, metavar="A",
                   help="'relu' (default) or 'leaky:S-:S+' with S+ > S- >= 0, e.g. leaky:1/10:1")
    s.add_argument("--json", action="store_true", help=JSON_HELP)
    s.set_defaults(func=cmd_certify)

    s = sub.add_parser("verify", help="check a certificate (or a min-width refutation) with the trusted kernel",
                       description="Check a certificate or a refutation with the trusted kernel: c-lines, then "
                                   "s VERIFIED (exit 0) or s NOT VERIFIED (exit 1); malformed input exits 2.")
    s.add_argument("certificate", help="a certificate or refutation file (.json)")
    s.add_argument("--json", action="store_true",
                   help='print {"verdict", "exit", "lines", "reason"} instead of the lines; the exit code is '
                        "the same (default: text)")
    s.set_defaults(func=cmd_verify)

    s = sub.add_parser("generate", help="write a seeded random rational dataset")
    for name, default, what in (("d", 2, "input dimension"), ("K", 10, "number of points"),
                                ("N", 3, "number of changed labels"), ("seed", 0, "random seed"),
                                ("denominator", 8, "largest denominator of a coordinate"),
                                ("magnitude", 4, "largest |coordinate| and |target|")):
        s.add_argument(f"--{name}", type=int, default=default, help=f"{what} (default: %(default)s)")
    s.add_argument("--with-f", action="store_true",
                   help="random frozen values f, y = f + z (default: no f, i.e. f = 0)")
    s.add_argument("-o", "--output", required=True, help="the dataset file to write (.json; required)")
    s.add_argument("--json", action="store_true", help=JSON_HELP + "; T is only in the file")
    s.set_defaults(func=cmd_generate)

    s = sub.add_parser("partition", help="P([K] \\ T), the kept set J and Lemmas 4.6-4.7")
    s.add_argument("--K", type=int, required=True, help="number of points (required)")
    s.add_argument("--T", type=_int_list, required=True,
                   help="the changed indices, 1-based and comma-separated, e.g. 4,7,9,14 (required)")
    s.add_argument("--json", action="store_true", help=JSON_HELP)
    s.set_defaults(func=cmd_partition)

    # Commands of the other parts of the package live beside their topic.
    for module in COMMAND_MODULES:
        importlib.import_module(f"{__package__}.{module}").register(sub)
    return p


#: Modules under ftcexact/cli/ that add subcommands with a ``register(subparsers)`` function.
COMMAND_MODULES = ["pieces_commands", "prove_commands", "search_commands", "model_commands",
                   "three_layer_commands"]


def check_output(output, *inputs):
    """Refuse an output path that is one of the input files (it would be overwritten)."""
    if output is None or not os.path.exists(output):
        return
    for path in inputs:
        if path is not None and os.path.exists(path) and os.path.samefile(output, path):
            raise UsageError(f"the output {output} is an input file; choose another path")


def main(argv=None):
    """Run the ``ftcexact`` command; return its exit code.

    0: success (``s VERIFIED`` for checkers), 1: ``s NOT VERIFIED``, 2: bad input of any kind (one line on
    stderr), 3: an unexpected error in ftcexact itself (one line, never a traceback).
    """
    from ..constructions.gadgets import ConstructionError  # a paper step that fails on this instance
    if ConstructionError not in INPUT_ERRORS:
        INPUT_ERRORS.append(ConstructionError)
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (DatasetError, NetworkError, RationalError, *INPUT_ERRORS) as e:
        print(f"ftcexact {args.command}: error: {str(e)[:500]}", file=sys.stderr)
    except BrokenPipeError:  # the reader went away (ftcexact ... | head): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except OSError as e:
        print(f"ftcexact {args.command}: error: {e.strerror or e}: {e.filename or ''}".rstrip(": "),
              file=sys.stderr)
    except KeyboardInterrupt:
        print(f"ftcexact {args.command}: interrupted", file=sys.stderr)
        return 130
    except (MemoryError, RecursionError) as e:
        print(f"ftcexact {args.command}: error: input too large ({type(e).__name__})", file=sys.stderr)
    except Exception as e:  # a bug: one line, exit 3, never a traceback
        print(f"ftcexact {args.command}: internal error, please report: {type(e).__name__}: {str(e)[:300]}",
              file=sys.stderr)
        return 3
    return 2


if __name__ == "__main__":
    sys.exit(main())
