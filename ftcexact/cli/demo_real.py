"""``ftcexact demo --real``: patch a trained scikit-learn MLP on the bundled digits data, end to end.

1. Train an ``MLPClassifier`` (64-32-10, ReLU) on 1200 of scikit-learn's bundled digits images and save
   it as a float32 ONNX model: the frozen network f.
2. Change the labels of N training images (each to the next class); every other label keeps f's value.
3. Certify f + g with several constructions (f is read exactly from the ONNX file; the verifier
   recomputes it), and verify every certificate.
4. Export f + g to ONNX in float32 and float64, run it with onnxruntime, and report whether the
   predictions changed exactly where asked, the deployability report, and the held-out accuracy
   before and after on the 597 images not used for training.

Needs the ``examples`` extra (scikit-learn, onnx, onnxruntime); no download (the digits ship with
scikit-learn).
"""

from __future__ import annotations

import json
import os
import tempfile
import time

CONSTRUCTIONS = ("two-layer", "two-layer-tight", "three-layer-best", "three-layer-tents")


def run_real_demo(outdir=None, N=10, as_json=False, constructions=CONSTRUCTIONS):
    try:
        import numpy as np
        import onnxruntime as ort
        from sklearn.datasets import load_digits
        from sklearn.neural_network import MLPClassifier
    except ImportError as e:
        raise SystemExit(f"ftcexact demo --real needs the examples extra: pip install 'ftcexact[examples]' ({e})")
    from ..certificate import file_reference, summary, write_json_atomic
    from ..constructions import certify
    from ..dataset import load_dataset, with_frozen
    from ..kernel.verify import run
    from ..models import load_model, save_model
    from ..models.export import export_certificate
    import io
    X, labels = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    train, test = slice(0, 1200), slice(1200, None)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a short training run: convergence is not the point here
        clf = MLPClassifier(hidden_layer_sizes=(32,), max_iter=300, random_state=0).fit(X[train], labels[train])
    folder = outdir or tempfile.mkdtemp(prefix="ftcexact-digits-")
    os.makedirs(folder, exist_ok=True)
    f_path = os.path.join(folder, "f.onnx")
    save_model(load_model(clf), f_path, dtype="float32")
    session = ort.InferenceSession(f_path)

    def predict(path, inputs):
        s = ort.InferenceSession(path)
        dtype = np.float64 if s.get_inputs()[0].type == "tensor(double)" else np.float32
        return s.run(None, {s.get_inputs()[0].name: inputs.astype(dtype)})[0].argmax(axis=1)
    before_train, before_test = predict(f_path, X[train]), predict(f_path, X[test])
    rng = np.random.default_rng(0)
    changed = sorted(int(i) for i in rng.choice(1200, N, replace=False))
    wanted = np.full(1200, -1)
    for i in changed:
        wanted[i] = (before_train[i] + 1) % 10
    data_path = os.path.join(folder, "digits.npz")
    np.savez(data_path, x=X[train], y=wanted)
    ds = load_dataset(data_path, classes=10)
    report = {"K": 1200, "N": N, "d": 64, "changed": changed, "f_accuracy_train": float((before_train == labels[train]).mean()),
              "f_accuracy_test": float((before_test == labels[test]).mean()), "bounds": {
                  "Theorem 4.1 upper min(3N + 1, K - 1)": min(3 * N + 1, 1199),
                  "Theorem 4.1 lower (worst case) min(3N, K - 2)": min(3 * N, 1198)}, "rows": []}
    del session
    for construction in constructions:
        start = time.perf_counter()
        cert_path = os.path.join(folder, f"{construction}.json")
        from ..models.frozen import frozen_reference
        f_net, frozen_ref = frozen_reference(f_path, cert_path)
        patched = with_frozen(ds, f_net)
        ref = dict(file_reference(data_path, cert_path), classes=10)
        cert = certify(patched, construction, dataset_ref=ref, frozen_ref=frozen_ref)
        write_json_atomic(cert, cert_path)
        info = summary(cert, patched)
        out = io.StringIO()
        verdict = run(cert_path, out=out, err=io.StringIO())
        row = {"construction": construction, "neurons": info["neurons"], "widths": info["widths"],
               "statement": info["statement"], "verified": verdict == 0, "max_weight_bits": info["max_weight_bits"],
               "g_between_data": info["g_between_data"], "certify_and_verify_s": round(time.perf_counter() - start, 2)}
        for dtype in ("float32", "float64"):
            onnx_path = os.path.join(folder, f"{construction}-{dtype}.onnx")
            exported = export_certificate(cert, folder, onnx_path, part="f+g", dtype=dtype, classes=True)
            after_train, after_test = predict(onnx_path, X[train]), predict(onnx_path, X[test])
            expected = before_train.copy()
            expected[changed] = wanted[changed]
            rep = exported["report"]
            row[dtype] = {"changed_exactly_where_asked": bool((after_train == expected).all()),
                          "train_predictions_differing": int((after_train != expected).sum()),
                          "max_abs_error_rounded": rep["max_abs_error"]["rounded"],
                          "argmax_holds": rep.get("classification", {}).get("holds_rounded"),
                          "test_accuracy_after": float((after_test == labels[test]).mean()),
                          "test_predictions_changed": int((after_test != before_test).sum())}
        report["rows"].append(row)
    code = 0 if all(r["verified"] for r in report["rows"]) else 1
    report.update(exit=code, folder=folder)
    if as_json:
        print(json.dumps(report))
        return code
    print(f"f: MLP 64-32-10 trained on 1200 digits (train accuracy {report['f_accuracy_train']:.3f}, held-out "
          f"{report['f_accuracy_test']:.3f}); {N} training labels changed to the next class, 1190 kept")
    print(f"bounds: {report['bounds']}")
    print(f"{'construction':<18} {'m':>4} {'statement':<26} {'verified':<8} {'bits':>5}  "
          f"{'float32: exact? test acc (moved)':<34} {'float64: exact? test acc (moved)'}")
    for r in report["rows"]:
        cells = [f"{'yes' if r[t]['changed_exactly_where_asked'] else 'NO'} {r[t]['test_accuracy_after']:.3f} "
                 f"({r[t]['test_predictions_changed']})" for t in ("float32", "float64")]
        print(f"{r['construction']:<18} {r['neurons']:>4} {str(r['statement']):<26} {str(r['verified']):<8} "
              f"{r['max_weight_bits']:>5}  {cells[0]:<34} {cells[1]}")
    print("exact? = onnxruntime's predictions on the 1200 training images changed exactly at the N asked "
          "points; test acc = held-out accuracy of f + g; moved = held-out predictions that differ from f's")
    print(f"files in {folder}")
    return code
