"""Commands about pieces on a line: ``pieces``, ``min-pieces``, ``lower-bound``, ``plot``."""

from __future__ import annotations

import json
import sys

from ..dataset import load_dataset, read_json_text
from ..kernel.numbers import Q, format_rational, parse_rational
from .main import INPUT_ERRORS, MAX_POINTS, UsageError, check_output, check_size


def _vector(text, name):
    try:
        return [parse_rational(v) for v in text.split(",")]
    except ValueError as e:
        raise UsageError(f"--{name}: {e}") from None


def _read_network(path):
    """``(network, object)``: a certificate or ``{"network": ...}`` object (``object`` is the parsed JSON,
    for its projection hint), or any model file :func:`ftcexact.models.load_model` reads (``object``
    None): ``.onnx``, ``.nnet``, ``.safetensors``, ``.npz``, an ``ftcexact-network`` ``.json``."""
    from ..models import load_model
    from ..network import network_from_json
    if not str(path).lower().endswith(".json"):
        return load_model(path), None
    try:
        with open(path, encoding="utf-8") as fh:
            obj = read_json_text(fh.read(), path)
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None
    if isinstance(obj, dict) and isinstance(obj.get("network"), (list, dict)):
        return network_from_json(obj["network"]), obj
    if isinstance(obj, list) or (isinstance(obj, dict) and obj.get("format") == "ftcexact-network"):
        return load_model(path), None
    raise UsageError(f"{path}: expected a certificate, an object with a \"network\" list, an ftcexact-network "
                     "file or a model file (.onnx, .nnet, .safetensors, .npz)")


def _line(net, obj, args):
    """The line to restrict to: --point/--direction, else the certificate's projection, else t -> t."""
    point = _vector(args.point, "point") if args.point else None
    if args.direction:
        return point, _vector(args.direction, "direction")
    hints = obj.get("hints")
    hint = hints.get("direction") if isinstance(hints, dict) else None  # hints are optional and untrusted
    if isinstance(hint, list) and hint and net.input_dim not in (None, 1):
        a = [parse_rational(v) for v in hint]
        norm = sum(v * v for v in a)
        return point, [v / norm for v in a]  # a . x(t) = t along this line
    return point, None


def _segment(text):
    ends = _vector(text, "segment")
    if len(ends) != 2 or ends[0] > ends[1]:
        raise UsageError(f"--segment: expected A,B with A <= B, got {text!r}")
    return ends


def cmd_pieces(args):
    from ..analysis.pieces import restrict_to_line
    net, obj = _read_network(args.file)
    point, direction = _line(net, obj, args)
    segment = _segment(args.segment) if args.segment else None
    try:
        f = restrict_to_line(net, point, direction, segment)
    except ValueError as e:
        raise UsageError(str(e)) from None
    if args.json:
        vec = None if direction is None else [format_rational(v) for v in direction]
        print(json.dumps(dict(f.to_json(), file=args.file, point=None if point is None else
                              [format_rational(v) for v in point], direction=vec,
                              segment=None if segment is None else [format_rational(v) for v in segment])))
    else:
        print(f"pieces: {f.pieces}" + (f" on [{format_rational(segment[0])}, {format_rational(segment[1])}]"
                                       if segment else ""))
        print("breakpoints: " + (", ".join(map(format_rational, f.breakpoints)) or "none"))
    return 0


def _line_data(ds, direction):
    if direction is None:
        if ds.d != 1:
            raise UsageError(f"the inputs have {ds.d} coordinates: give --direction to project them on a line")
        return [x[0] for x in ds.x]
    if len(direction) != ds.d:
        raise UsageError(f"--direction has {len(direction)} coordinates, the inputs have {ds.d}")
    return [sum((a * v for a, v in zip(direction, x)), Q(0)) for x in ds.x]


def cmd_min_pieces(args):
    from ..analysis.interpolation import min_pieces
    from ..analysis.lower_bounds import witness_json
    ds = load_dataset(args.dataset)
    if ds.dy != 1:
        raise UsageError("min-pieces needs scalar labels")
    ts = _line_data(ds, _vector(args.direction, "direction") if args.direction else None)
    try:
        n, f = min_pieces(ts, [z[0] for z in ds.targets])
    except ValueError as e:
        raise UsageError(f"{e} (after projection)") from None
    if args.json:
        print(json.dumps({"min_pieces": n, "witness": witness_json(f, sorted(ts))}))
    else:
        print(f"min_pieces: {n}")
        print("witness breakpoints: " + (", ".join(map(format_rational, f.breakpoints)) or "none"))
    return 0


STATEMENTS = {"two-layer": "Sohn et al. 2024, Theorem 4.1 (lower bound) via Corollary 4.2's dataset family",
              "three-layer": "Sohn et al. 2024, Theorem 5.1 (lower bound), with the proven piece count P(d1, d2)",
              "three-layer-product": "Sohn et al. 2024, Theorem 5.1 (lower bound), with the (d1+1)(d2+1) piece count",
              "three-layer-ysj": "Sohn et al. 2024, Theorem 5.1 (lower bound), with Yun et al.'s 2 d1 d2 + d2 + 1"}


def cmd_lower_bound(args):
    from ..analysis.lower_bounds import (ftc_figure_3_dataset, ftc_lower_bound_dataset, lower_bound_certificate,
                                         ysj_theorem_3_3_dataset)
    from ..certificate import write_json_atomic
    check_output(args.output, args.dataset)
    cap = f" (a lower-bound dataset has at most {MAX_POINTS} points)"
    if args.dataset:
        ds = load_dataset(args.dataset)
        check_size("dataset's K", ds.K, 1, MAX_POINTS, cap)
        statement = f"piece counting on a user dataset ({args.arch})"
    else:
        if args.family == "ysj":
            if args.N is None or args.N < 1 or args.K not in (None, args.N):
                raise UsageError("--family ysj memorizes: give --N (>= 1) and no other K")
            check_size("N", args.N, 1, MAX_POINTS, cap)
            ds, statement = ysj_theorem_3_3_dataset(args.N), "Yun et al. 2019, Theorem 3.3"
        elif args.family == "figure3":
            if args.N is None or args.N < 1:
                raise UsageError("--family figure3 needs --N (>= 1); K is 2N + 1")
            check_size("N", args.N, 1, (MAX_POINTS - 1) // 2, cap)
            ds, statement = ftc_figure_3_dataset(args.N), "Sohn et al. 2024, §4.1 example K = 2N + 1 (Figure 3)"
        else:
            if args.N is None or args.K is None:
                raise UsageError("give --N and --K (or --dataset)")
            if not 0 <= args.N <= args.K or args.K < 1:
                raise UsageError(f"need 0 <= N <= K and K >= 1, got N = {args.N}, K = {args.K}")
            check_size("K", args.K, 1, MAX_POINTS, cap)
            ds, statement = ftc_lower_bound_dataset(args.N, args.K), STATEMENTS[args.arch]
    try:
        cert = lower_bound_certificate(ds, args.arch, statement)
    except ValueError as e:
        raise UsageError(str(e)) from None
    if args.output:
        write_json_atomic(cert, args.output)
    claim = cert["claim"]
    if args.json:
        print(json.dumps({"bound": claim["bound"], "min_pieces": claim["min_pieces"], "architecture": args.arch,
                          "N": claim["N"], "K": claim["K"], "dataset": cert["dataset"],
                          "certificate": args.output}))
    else:
        print(f"N = {claim['N']}, K = {claim['K']}: every interpolant needs {claim['min_pieces']} pieces; "
              f"{args.arch} ({cert['hints']['limit']}) => m >= {claim['bound']}"
              + (f"; certificate {args.output}" if args.output else ""))
    return 0


def _m_list(text):
    """``--m``: one count, a list ``8,12,40`` or a range ``4-12``."""
    out = []
    try:
        for part in text.replace(" ", "").split(","):
            a, _, b = part.partition("-") if "-" in part[1:] else (part, "", "")
            out += list(range(int(a), int(b) + 1)) if b else [int(a)]
    except ValueError:
        raise UsageError(f"--m: expected an integer, a list 8,12,40 or a range 4-12, got {text!r}") from None
    if not out or len(out) > 12:
        raise UsageError(f"--m: give between 1 and 12 values, got {len(out)}")
    return sorted(set(out))


def cmd_plot(args):
    from ..plot import plot_figure5, plot_file
    check_output(args.output, None if args.target == "figure5" else args.target, args.network)
    if args.target == "figure5":
        info = plot_figure5(_m_list(args.m), args.output)
    else:
        if args.m != M_DEFAULT:
            raise UsageError("--m applies to figure5 only")
        info = plot_file(args.target, args.output, point=args.point, direction=args.direction, options=args)
    if args.json:
        print(json.dumps(dict(info, output=args.output)))
    else:
        for note in info.get("notes", []):
            print(f"note: {note}", file=sys.stderr)
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


M_DEFAULT = "40"


def register(sub):
    from ..analysis.lower_bounds import ARCHITECTURES
    from ..plot import PlotError
    from .main import JSON_HELP
    INPUT_ERRORS.append(PlotError)
    s = sub.add_parser("pieces", help="exact affine pieces of a network along a line")
    s.add_argument("file", help="a certificate, a JSON object {\"network\": ...}, or a model file (.onnx, .nnet, "
                                ".safetensors, .npz, ftcexact-network .json)")
    s.add_argument("--point", metavar="P", help="a point of the line, comma-separated rationals (default: 0)")
    s.add_argument("--direction", metavar="U",
                   help="direction of the line (default: the certificate's projection, or t -> t for one input)")
    s.add_argument("--segment", metavar="A,B",
                   help="count only on point + t direction, A <= t <= B (default: the whole line)")
    s.add_argument("--json", action="store_true", help=JSON_HELP)
    s.set_defaults(func=cmd_pieces)

    s = sub.add_parser("min-pieces", help="fewest affine pieces of any continuous interpolant of 1-D data")
    s.add_argument("dataset", help="a dataset (JSON or CSV); d > 1 needs --direction")
    s.add_argument("--direction", metavar="U",
                   help="project d-dimensional inputs on this direction (default: none, the data must be 1-D)")
    s.add_argument("--json", action="store_true", help=JSON_HELP)
    s.set_defaults(func=cmd_min_pieces)

    s = sub.add_parser("lower-bound", help="certified lower bound on the neurons for (N, K) by piece counting")
    s.add_argument("--N", type=int, help="number of changed labels (default: none; needed without --dataset)")
    s.add_argument("--K", type=int, help="number of points (default: none; needed for --family ftc)")
    s.add_argument("--dataset", help="use this 1-D dataset instead of an adversarial family (default: none)")
    s.add_argument("--family", choices=["ftc", "ysj", "figure3"], default="ftc",
                   help="ftc: Sohn et al. §4.1 and its revision for K < 3N + 2 (default); ysj: Yun et al. "
                        "Theorem 3.3 (N = K alternating labels); figure3: the paper's K = 2N + 1 example")
    s.add_argument("--arch", choices=sorted(ARCHITECTURES), default="two-layer",
                   help="architecture whose piece limit is used (default: %(default)s)")
    s.add_argument("--json", action="store_true", help=JSON_HELP)
    s.add_argument("-o", "--output", help="write the lower-bound certificate here (default: none written)")
    s.set_defaults(func=cmd_lower_bound)

    s = sub.add_parser("plot", help="draw a certificate's data, network restriction and breakpoints, or Figure 5")
    s.add_argument("target", help="a certificate (fine-tuning or lower-bound), a dataset with --network, or "
                                  "'figure5' (Corollary 5.2's regions for --m neurons)")
    s.add_argument("--m", default=M_DEFAULT, metavar="M",
                   help="figure5: neurons, one value, a list 8,12,40 or a range 4-12 (one panel each, "
                        "1 <= m <= 400; default: %(default)s)")
    s.add_argument("--network", help="a file with a network to draw over the dataset (default: none)")
    s.add_argument("--point", metavar="P", help="a point of the line (default: 0)")
    s.add_argument("--direction", metavar="U",
                   help="direction of the line (default: the certificate's projection, or t -> t)")
    s.add_argument("-o", "--output", required=True, help="the picture to write, .png or .svg (required)")
    s.add_argument("--json", action="store_true", help=JSON_HELP)
    s.set_defaults(func=cmd_plot)
