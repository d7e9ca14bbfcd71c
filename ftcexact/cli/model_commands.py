"""Commands for real models: ``convert`` (a trained model to an exact network) and ``export``
(a certificate's g or f + g to a float model, with a deployability report)."""

from __future__ import annotations

import json
import os

from ..models import ModelError
from .main import INPUT_ERRORS, UsageError


def _describe(net):
    return " -> ".join(str(w) for w in [net.input_dim, *net.widths, net.output_dim])


def _parameters(net):
    return sum(len(b) * (1 + len(W[0])) for W, b in net.layers)


def cmd_convert(args):
    from ..models import read_model_file, save_model
    from ..models.files import same_file
    if same_file(args.model, args.output):
        raise UsageError("the output would overwrite the model")
    if not args.output.lower().endswith(".json"):
        raise UsageError("convert writes an exact ftcexact-network JSON file: name the output *.json "
                         "(float formats come from `ftcexact export`)")
    from ..models import model_format
    fmt = args.format or model_format(args.model)
    options = {}
    if args.clamp:
        if fmt != "nnet":
            raise UsageError("--clamp applies to NNet files only")
        options["clamp"] = True
    if args.layout:
        if fmt != "npz":
            raise UsageError("--layout applies to npz files only")
        options["layout"] = args.layout
    net, source = read_model_file(args.model, format=fmt, **options)
    save_model(net, args.output, source=source)
    summary = {"model": args.model, "format": fmt, "sha256": source["sha256"], "architecture": _describe(net),
               "neurons": net.neurons, "parameters": _parameters(net), "output": args.output}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{source['path']} ({fmt}, sha256 {source['sha256'][:16]}...): {summary['architecture']}, "
              f"{net.neurons} ReLU neurons, {summary['parameters']} parameters -> {args.output}")
    return 0


def _read_certificate(path):
    from ..dataset import DatasetError, read_json_text
    from ..models.errors import MAX_FILE_BYTES
    from ..models.files import read_bytes
    data = read_bytes(path, MAX_FILE_BYTES)
    try:
        obj = read_json_text(data.decode("utf-8"), path)
    except UnicodeDecodeError:
        raise ModelError(f"{path}: not UTF-8 text") from None
    except DatasetError as e:
        raise ModelError(str(e)) from None
    if not isinstance(obj, dict):
        raise ModelError(f"{path}: a certificate is a JSON object")
    return obj


def cmd_export(args):
    from ..kernel.numbers import RationalError, parse_rational
    from ..models.export import export_certificate
    tolerance = None
    if args.tolerance is not None:
        try:
            tolerance = parse_rational(args.tolerance)
        except RationalError as e:
            raise UsageError(f"--tolerance: {e}") from None
        if tolerance < 0:
            raise UsageError("--tolerance must be >= 0")
    cert = _read_certificate(args.certificate)
    base = os.path.dirname(os.path.abspath(args.certificate))
    summary = export_certificate(cert, base, args.output, part=args.part, dtype=args.dtype, probes=args.probe,
                                 classes=args.classes, tolerance=tolerance,
                                 inputs=[p for p in (args.certificate, args.probe) if p])
    summary["certificate"] = args.certificate
    if args.json:
        print(json.dumps(summary))
        return 0
    from ..models.deploy import format_report
    print(f"{args.part} ({summary['architecture']}, {summary['neurons']} ReLU neurons) -> {args.output} "
          f"({summary['format']}, {summary['dtype']})")
    print(format_report(summary["report"]))
    if not summary["report"]["exact_network_fits"]:
        print("warning: the exact network does not fit the data (run `ftcexact verify` on the certificate)")
    return 0


def register(sub):
    from .main import JSON_HELP
    if ModelError not in INPUT_ERRORS:
        INPUT_ERRORS.append(ModelError)
    s = sub.add_parser("convert", help="read a trained model exactly and write an ftcexact-network JSON file")
    s.add_argument("model", help=".onnx, .nnet, .safetensors, .npz or .json")
    s.add_argument("-o", "--output", required=True, help="the exact network (*.json; required)")
    s.add_argument("--format", default=None, choices=["onnx", "nnet", "safetensors", "npz", "json"],
                   help="override the format given by the extension (default: from the extension)")
    s.add_argument("--clamp", action="store_true",
                   help="NNet: compose the evaluators' input clamp to [min, max] exactly (2 d extra ReLUs; "
                        "default: no clamp)")
    s.add_argument("--layout", default=None, choices=["auto", "out_in", "in_out"],
                   help="npz: weight matrices stored (out, in) (PyTorch) or (in, out) (default: auto, from the shapes)")
    s.add_argument("--json", action="store_true", help=JSON_HELP)
    s.set_defaults(func=cmd_convert)

    s = sub.add_parser("export", help="write a certificate's g or f + g as a float model, with a "
                                      "deployability report")
    s.add_argument("certificate", help="a fine-tuning certificate (.json)")
    s.add_argument("--part", required=True, choices=["g", "f+g"],
                   help="g alone, or f + g as one network (needs the certificate's frozen f; required)")
    s.add_argument("-o", "--output", required=True,
                   help=".onnx, .npz, .safetensors (rounded) or .json (exact) (required)")
    s.add_argument("--dtype", default=None, choices=["float32", "float64"],
                   help="float type of a rounded export (default: float32; none for .json)")
    s.add_argument("--probe", default=None,
                   help="points away from the data (.npy, .npz or .json array) whose outputs are compared "
                        "(default: none)")
    s.add_argument("--classes", action="store_true",
                   help="check predicted classes (arg-max, or logit > 0 for one output) even if labels "
                        "are not one-hot (default: only for one-hot labels)")
    s.add_argument("--tolerance", default=None,
                   help="relative tolerance (default: 2^-12 for float32, 2^-26 for float64)")
    s.add_argument("--json", action="store_true", help=JSON_HELP)
    s.set_defaults(func=cmd_export)
