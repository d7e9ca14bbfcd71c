"""ONNX models: exact reading of affine/ReLU chains, and export as a Gemm/Relu chain.

Reading
-------
The graph is interpreted symbolically, node by node in the (topological)
order ONNX requires.  Every tensor is either a *constant* (an initializer or
a ``Constant`` node) or an exact *affine function of the current stage*,
``W h + b``, where ``h`` is the graph input or the output of the last
``Relu``.  The operators understood are

* ``Gemm`` (``alpha``, ``beta``, ``transA``, ``transB``, optional ``C``),
  ``MatMul`` (either operand constant, a 1-D or 2-D constant, the input a
  vector or a one-row / one-column matrix), ``Add``, ``Sub``, ``Mul`` and
  ``Div`` with one constant operand (``Div`` only by a constant: dividing by
  the float ``s`` multiplies by the exact rational ``1/s``), so the input
  normalisation ``(x - mean) / std`` is folded exactly into the first layer;
* ``Relu``, which closes the current affine stage as a layer;
* ``Flatten``, ``Reshape`` (with a constant shape; a batch axis must stay the
  leading axis), ``Identity`` and ``Constant``.

Any other operator (``Conv``, ``Sigmoid``, ``Dropout``, ``Cast``, ...), an
operator from another domain, two input-dependent operands combined (a
residual connection), a value from an earlier stage used after a ``Relu``
(not a chain), several graph inputs or outputs, a non-float input, weights
stored in external files, NaN or infinite weights, and shapes that do not
fit are refused with :class:`~ftcexact.models.errors.ModelError` naming the
operator and its node.  One symbolic dimension of the input (a batch axis)
is allowed; the network describes one sample.

Exactness: every stored weight is converted to its exact dyadic value
(:mod:`ftcexact.models.floats`), ``alpha``/``beta`` likewise, and the folds
are exact rational arithmetic, so the result is the real-number function the
graph's operators denote on the stored weights.  onnxruntime evaluates the
same graph in floating point; the two agree up to its rounding.

Writing
-------
:func:`onnx_bytes` writes ``Gemm`` (``transB=1``, the weight stored as
``(out, in)``) and ``Relu`` nodes, input ``"input"`` of shape
``["batch", d]``, output ``"output"`` of shape ``["batch", k]``, opset 13,
IR version 7, weights correctly rounded to float32 or float64.

Examples
--------
>>> import pytest; onnx = pytest.importorskip("onnx")
>>> import numpy as np
>>> from onnx import TensorProto, helper, numpy_helper
>>> g = helper.make_graph(
...     [helper.make_node("Sub", ["x", "mean"], ["u"]), helper.make_node("Div", ["u", "std"], ["v"]),
...      helper.make_node("Gemm", ["v", "W", "b"], ["h"], transB=1), helper.make_node("Relu", ["h"], ["y"])],
...     "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1])],
...     [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])],
...     [numpy_helper.from_array(np.array([0.5], np.float32), "mean"),
...      numpy_helper.from_array(np.array([3.0], np.float32), "std"),
...      numpy_helper.from_array(np.array([[1.0], [-1.0]], np.float32), "W"),
...      numpy_helper.from_array(np.array([0.0, 0.0], np.float32), "b")])
>>> net = read_onnx_bytes(helper.make_model(g).SerializeToString())
>>> from ftcexact.kernel.numbers import format_rational
>>> [[format_rational(v) for v in row] for row in net.layers[0][0]]      # 1/3 exactly, not float(1/3)
[['1/3'], ['-1/3']]
>>> net.widths, [[format_rational(v) for v in row] for row in net.layers[1][0]]  # final Relu: identity output
([2], [['1', '0'], ['0', '1']])
>>> g2 = helper.make_graph([helper.make_node("Sigmoid", ["x"], ["y"], name="act")], "bad",
...     [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
...     [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
>>> read_onnx_bytes(helper.make_model(g2).SerializeToString(), "bad.onnx")
Traceback (most recent call last):
...
ftcexact.models.errors.ModelError: bad.onnx: unsupported operator Sigmoid (node 'act')

References
----------
ONNX operator specifications (https://onnx.ai/onnx/operators/): Gemm,
MatMul (numpy ``matmul`` semantics), Add/Sub/Mul/Div (multidirectional
broadcasting), Flatten, Reshape, Relu.  ONNX IR specification, "Graphs"
(nodes are topologically sorted).
"""

from __future__ import annotations

from math import prod

from ..kernel.numbers import Q, as_rational
from ..network import Network
from .errors import MAX_PARAMETERS, ModelError, check_parameters, one_line
from .floats import exact_values

__all__ = ["read_onnx_bytes", "onnx_bytes", "SUPPORTED_OPERATORS"]

SUPPORTED_OPERATORS = ("Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Flatten", "Reshape",
                       "Identity", "Constant")
#: Largest product of two stacked dense linear maps we are willing to fold (multiply-adds).
MAX_FOLD_WORK = 20_000_000


def _onnx():
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise ModelError("reading or writing ONNX needs the optional dependency onnx "
                         "(pip install onnx)") from None
    return onnx, numpy_helper


class _Const:
    """A constant tensor: the numpy array as stored, its exact values computed on first use."""

    def __init__(self, arr, name):
        self.arr, self.name, self._exact = arr, name, None

    @property
    def shape(self):
        return tuple(self.arr.shape)

    def exact(self):
        import numpy as np
        if self._exact is None:
            if self.arr.dtype == object:
                self._exact = self.arr
            else:
                self._exact = np.array(exact_values(self.arr, f"tensor {self.name!r}") + (None,),
                                       dtype=object)[:-1].reshape(self.arr.shape)
        return self._exact


class _Var:
    """``W h + b`` for the stage input ``h``; ``W`` None (identity), 1-D (diagonal) or 2-D (dense)."""

    def __init__(self, stage, shape, batch, W, b, width):
        self.stage, self.shape, self.batch, self.W, self.b, self.width = stage, shape, batch, W, b, width

    @property
    def size(self):
        return prod(self.shape)

    def with_shape(self, shape, batch):
        return _Var(self.stage, tuple(shape), batch, self.W, self.b, self.width)


class _Reader:
    def __init__(self, name, max_parameters):
        self.name, self.max_parameters = name, max_parameters
        self.values, self.layers = {}, []

    def fail(self, message, node=None, show_op=True):
        where = ""
        if node is not None:
            label = node.name or (node.output[0] if node.output else "?")
            where = f" ({node.op_type} node {label!r})" if show_op else f" (node {label!r})"
        raise ModelError(one_line(f"{self.name}: {message}{where}"))

    # ---- affine bookkeeping -------------------------------------------------
    def zeros(self, n):
        import numpy as np
        out = np.empty(n, dtype=object)
        out[:] = [Q(0)] * n
        return out

    def post_linear(self, v, A, node):
        """``A (W h + b)``: ``A`` a dense (k, n) object array, ``n = v.size``."""
        import numpy as np
        if v.W is None:
            W = A
        elif v.W.ndim == 1:
            W = A * v.W[None, :]
        else:
            work = A.shape[0] * A.shape[1] * v.W.shape[1]
            if work > MAX_FOLD_WORK:
                self.fail(f"two stacked linear maps of sizes {A.shape} and {v.W.shape} without a Relu between "
                          f"them are too large to fold exactly ({work} multiply-adds)", node)
            W = A.dot(v.W)
        b = A.dot(v.b) if len(v.b) else self.zeros(A.shape[0])
        return W, np.asarray(b, dtype=object).reshape(-1)

    def scale(self, v, s):
        """``diag(s) (W h + b)``."""
        if v.W is None:
            W = s.copy()
        elif v.W.ndim == 1:
            W = v.W * s
        else:
            W = v.W * s[:, None]
        return W, v.b * s

    def materialize(self, v):
        import numpy as np
        n = v.size
        if v.W is None or v.W.ndim == 1:
            W = np.empty((n, n), dtype=object)
            W[:] = Q(0)
            diag = [Q(1)] * n if v.W is None else list(v.W)
            for i in range(n):
                W[i, i] = diag[i]
            return W
        return v.W

    def close_stage(self, v):
        if v.W is None or v.W.ndim == 1:  # an identity or diagonal stage becomes a dense n x n layer
            check_parameters(v.size * v.size + v.size, self.max_parameters, self.name)
        W = self.materialize(v)
        self.layers.append((tuple(tuple(row) for row in W.tolist()), tuple(v.b.tolist())))

    # ---- operands -----------------------------------------------------------
    def get(self, name, node):
        if name not in self.values:
            self.fail(f"input {name!r} is not produced by an earlier node or initializer", node)
        return self.values[name]

    def var(self, value, node):
        if value.stage != len(self.layers):
            self.fail("uses a value computed before a later Relu: the graph is not a chain "
                      "affine -> relu -> affine -> ...", node)
        return value

    def feature_vector(self, v, c, node):
        """Constant ``c`` broadcast onto ``v``'s features (it may add leading 1-axes to ``v``)."""
        import numpy as np
        try:
            out = np.broadcast_shapes(v.shape, c.shape)
        except ValueError:
            self.fail(f"cannot broadcast constant {c.name!r} of shape {c.shape} onto the input-dependent "
                      f"value of shape {v.shape}", node)
        if prod(out) != v.size:
            self.fail(f"constant {c.name!r} of shape {c.shape} would broadcast the input-dependent value from "
                      f"shape {v.shape} to {out}", node)
        extra = len(out) - len(v.shape)
        vec = np.broadcast_to(c.exact(), out).reshape(-1)
        return vec, tuple(out), (None if v.batch is None else v.batch + extra)

    # ---- operators ----------------------------------------------------------
    def elementwise(self, node, a, b):
        import numpy as np
        op = node.op_type
        if isinstance(a, _Const) and isinstance(b, _Const):
            try:
                ea, eb = a.exact(), b.exact()
                if op == "Div" and any(v == 0 for v in np.ravel(eb)):
                    self.fail(f"division by zero in constant {b.name!r}", node)
                res = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide}[op](ea, eb)
            except ValueError:
                self.fail(f"constants of shapes {a.shape} and {b.shape} do not broadcast", node)
            return _Const(np.asarray(res, dtype=object), node.output[0])
        if isinstance(a, _Var) and isinstance(b, _Var):
            self.fail("combines two input-dependent values (a branch or residual connection): not a chain", node)
        v, c, var_first = (a, b, True) if isinstance(a, _Var) else (b, a, False)
        v = self.var(v, node)
        vec, shape, batch = self.feature_vector(v, c, node)
        if op == "Add":
            W, bias = v.W, v.b + vec
        elif op == "Sub" and var_first:
            W, bias = v.W, v.b - vec
        elif op == "Sub":
            W, bias = self.scale(v, np.full(v.size, Q(-1), dtype=object))
            bias = bias + vec
        elif op == "Mul":
            W, bias = self.scale(v, vec)
        elif op == "Div" and var_first:
            if any(x == 0 for x in vec):
                self.fail(f"division by zero: constant {c.name!r} has a zero entry", node)
            W, bias = self.scale(v, np.array([1 / x for x in vec] + [None], dtype=object)[:-1])
        else:
            self.fail("divides by an input-dependent value (not affine)", node)
        return _Var(v.stage, shape, batch, W, bias, v.width)

    def matmul(self, node, a, b):
        if isinstance(a, _Var) == isinstance(b, _Var):
            self.fail("needs exactly one constant operand", node)
        if isinstance(a, _Var):  # v @ C
            v, C = self.var(a, node), b
            if len(C.shape) not in (1, 2):
                self.fail(f"constant {C.name!r} has shape {C.shape}; only 1-D or 2-D weights are supported", node)
            n = C.shape[0]
            if not v.shape or v.shape[-1] != n or prod(v.shape[:-1]) != 1 or v.batch == len(v.shape) - 1:
                self.fail(f"cannot multiply a value of shape {v.shape} by a weight of shape {C.shape}", node)
            E = C.exact()
            A = E.T if len(C.shape) == 2 else E.reshape(1, n)
            shape = v.shape[:-1] + ((C.shape[1],) if len(C.shape) == 2 else ())
            batch = v.batch
        else:  # C @ v
            C, v = a, self.var(b, node)
            if len(C.shape) not in (1, 2):
                self.fail(f"constant {C.name!r} has shape {C.shape}; only 1-D or 2-D weights are supported", node)
            n = C.shape[-1]
            if len(v.shape) == 1 and v.shape[0] == n and v.batch is None:
                rest, batch = (), None
            elif len(v.shape) == 2 and v.shape == (n, 1) and v.batch != 0:
                rest, batch = (1,), v.batch
            else:
                self.fail(f"cannot multiply a weight of shape {C.shape} by a value of shape {v.shape}", node)
            E = C.exact()
            A = E if len(C.shape) == 2 else E.reshape(1, n)
            if len(C.shape) == 2:
                shape = (C.shape[0],) + rest
            else:
                shape, batch = rest, (0 if batch == 1 else None)
        W, bias = self.post_linear(v, A, node)
        return _Var(v.stage, shape, batch, W, bias, v.width)

    def gemm(self, node, ins, attrs):
        import numpy as np
        alpha = as_rational(float(attrs.get("alpha", 1.0)))
        beta = as_rational(float(attrs.get("beta", 1.0)))
        ta, tb = int(attrs.get("transA", 0)), int(attrs.get("transB", 0))
        A, B = ins[0], ins[1]
        Cc = ins[2] if len(ins) > 2 else None
        if isinstance(A, _Var) == isinstance(B, _Var):
            self.fail("needs exactly one constant operand among A and B", node)
        if Cc is not None and isinstance(Cc, _Var):
            self.fail("C must be a constant", node)
        if isinstance(A, _Var):
            v, M = self.var(A, node), B
            if len(v.shape) != 2 or len(M.shape) != 2:
                self.fail(f"A and B must be matrices, got shapes {v.shape} and {M.shape}", node)
            rows, n = (v.shape[1], v.shape[0]) if ta else v.shape
            if rows != 1 or (v.batch is not None and v.batch != (1 if ta else 0)):
                self.fail(f"input-dependent A of shape {v.shape} must hold one sample per row", node)
            E = M.exact()
            Bm = E.T if tb else E
            if Bm.shape[0] != n:
                self.fail(f"A has {n} columns but B has {Bm.shape[0]} rows", node)
            k = Bm.shape[1]
            Amat, out_shape, batch = Bm.T * alpha, (1, k), (None if v.batch is None else 0)
        else:
            M, v = A, self.var(B, node)
            if len(v.shape) != 2 or len(M.shape) != 2:
                self.fail(f"A and B must be matrices, got shapes {M.shape} and {v.shape}", node)
            n, cols = (v.shape[1], v.shape[0]) if tb else v.shape
            if cols != 1 or (v.batch is not None and v.batch != (0 if tb else 1)):
                self.fail(f"input-dependent B of shape {v.shape} must hold one sample per column", node)
            E = M.exact()
            Am = E.T if ta else E
            if Am.shape[1] != n:
                self.fail(f"A has {Am.shape[1]} columns but B has {n} rows", node)
            k = Am.shape[0]
            Amat, out_shape, batch = Am * alpha, (k, 1), (None if v.batch is None else 1)
        W, bias = self.post_linear(v, Amat, node)
        if Cc is not None:
            try:
                cvec = np.broadcast_to(Cc.exact(), out_shape).reshape(-1)
            except ValueError:
                self.fail(f"C of shape {Cc.shape} does not broadcast to {out_shape}", node)
            bias = bias + cvec * beta
        return _Var(v.stage, out_shape, batch, W, bias, v.width)

    def reshape_like(self, node, x, target):
        """Flatten/Reshape of the input-dependent ``x`` to ``target`` (concrete, batch kept leading)."""
        if prod(target) != x.size:
            self.fail(f"cannot reshape {x.shape} to {tuple(target)}", node)
        return x.with_shape(target, x.batch)

    def reshape_target(self, node, shape, spec, allowzero):
        dims, infer = [], None
        for i, t in enumerate(spec):
            if t == -1:
                if infer is not None:
                    self.fail("more than one -1 in the target shape", node)
                infer = i
                dims.append(1)
            elif t == 0 and not allowzero:
                if i >= len(shape):
                    self.fail(f"target shape copies axis {i} of a {len(shape)}-D value", node)
                dims.append(shape[i])
            elif t < 0:
                self.fail(f"invalid target dimension {t}", node)
            else:
                dims.append(t)
        if infer is not None:
            rest = prod(dims)
            if rest == 0 or prod(shape) % rest:
                self.fail(f"cannot reshape {shape} to {tuple(spec)}", node)
            dims[infer] = prod(shape) // rest
        return tuple(dims)

    def run(self, graph, onnx, numpy_helper):
        import numpy as np
        init_names = set()
        float_count = 0
        for t in graph.initializer:
            if t.data_location == onnx.TensorProto.EXTERNAL:
                raise ModelError(f"{self.name}: tensor {t.name!r} keeps its data in an external file (not supported)")
            float_count += prod(t.dims)
            init_names.add(t.name)
        for node in graph.node:
            if node.op_type == "Constant":
                for a in node.attribute:
                    if a.type == onnx.AttributeProto.TENSOR:
                        float_count += prod(a.t.dims)
        check_parameters(float_count, self.max_parameters, self.name)
        for t in graph.initializer:
            try:
                arr = numpy_helper.to_array(t)
            except Exception as e:
                raise ModelError(one_line(f"{self.name}: tensor {t.name!r} cannot be read ({e})")) from None
            self.values[t.name] = _Const(arr, t.name)
        inputs = [i for i in graph.input if i.name not in init_names]
        if len(inputs) != 1:
            raise ModelError(f"{self.name}: the graph must have exactly one input besides its weights, "
                             f"found {len(inputs)}")
        if len(graph.output) != 1:
            raise ModelError(f"{self.name}: the graph must have exactly one output, found {len(graph.output)}")
        x = inputs[0]
        T = onnx.TensorProto
        tt = x.type.tensor_type if x.type.HasField("tensor_type") else None
        if tt is None or tt.elem_type not in (T.FLOAT, T.DOUBLE, T.FLOAT16, T.BFLOAT16):
            raise ModelError(f"{self.name}: input {x.name!r} must be a float tensor")
        if not tt.HasField("shape"):
            raise ModelError(f"{self.name}: input {x.name!r} has no shape")
        shape, batch = [], None
        for i, dim in enumerate(tt.shape.dim):
            if dim.HasField("dim_value") and dim.dim_value > 0:
                shape.append(dim.dim_value)
            else:
                if batch is not None:
                    raise ModelError(f"{self.name}: input {x.name!r} has more than one symbolic dimension")
                batch = i
                shape.append(1)
        d = prod(shape)
        if self.max_parameters is not None and d > self.max_parameters:
            raise ModelError(f"{self.name}: input {x.name!r} has {d} values, more than the parameter limit "
                             f"{self.max_parameters} (max_parameters=)")
        self.values[x.name] = _Var(0, tuple(shape), batch, None, self.zeros(d), d)
        for node in graph.node:
            self.node(node, onnx, np)
        out = self.values.get(graph.output[0].name)
        if out is None:
            raise ModelError(f"{self.name}: the graph output {graph.output[0].name!r} is never computed")
        if not isinstance(out, _Var):
            raise ModelError(f"{self.name}: the graph output does not depend on the input")
        if out.stage != len(self.layers):
            raise ModelError(f"{self.name}: the graph output is computed before its last Relu (not a chain)")
        self.close_stage(out)
        try:
            return Network(tuple(self.layers))
        except ValueError as e:
            raise ModelError(one_line(f"{self.name}: {e}")) from None

    def node(self, node, onnx, np):
        op = node.op_type
        if node.domain not in ("", "ai.onnx"):
            self.fail(f"unsupported operator {node.domain}.{op}", node, show_op=False)
        if op not in SUPPORTED_OPERATORS:
            self.fail(f"unsupported operator {op}", node, show_op=False)
        if len(node.output) != 1:
            self.fail(f"{op} must have one output", node)
        attrs = {}
        for a in node.attribute:
            try:
                attrs[a.name] = onnx.helper.get_attribute_value(a)
            except Exception as e:
                self.fail(f"unreadable attribute {a.name!r} ({e})", node)
        ins = [self.get(n, node) for n in node.input if n != ""]
        out = node.output[0]
        if op == "Constant":
            self.values[out] = self.constant(node, attrs, onnx, np)
            return
        if op == "Identity":
            self.expect(node, ins, 1)
            self.values[out] = ins[0]
        elif op == "Relu":
            self.expect(node, ins, 1)
            if isinstance(ins[0], _Const):
                self.fail("Relu of a constant is not supported", node)
            v = self.var(ins[0], node)
            self.close_stage(v)
            self.values[out] = _Var(len(self.layers), v.shape, v.batch, None, self.zeros(v.size), v.size)
        elif op in ("Add", "Sub", "Mul", "Div"):
            self.expect(node, ins, 2)
            self.values[out] = self.elementwise(node, *ins)
        elif op == "MatMul":
            self.expect(node, ins, 2)
            self.values[out] = self.matmul(node, *ins)
        elif op == "Gemm":
            if len(ins) not in (2, 3):
                self.fail(f"expects 2 or 3 inputs, got {len(ins)}", node)
            self.values[out] = self.gemm(node, ins, attrs)
        elif op == "Flatten":
            self.expect(node, ins, 1)
            x = ins[0]
            rank = len(x.shape)
            axis = int(attrs.get("axis", 1))
            axis = axis + rank if axis < 0 else axis
            if not 0 <= axis <= rank:
                self.fail(f"axis {attrs.get('axis')} out of range for rank {rank}", node)
            target = (prod(x.shape[:axis]), prod(x.shape[axis:]))
            if isinstance(x, _Const):
                self.values[out] = _Const(x.exact().reshape(target), out)
                return
            x = self.var(x, node)
            batch = x.batch
            if batch is not None:
                if batch != 0 or axis < 1 or prod(x.shape[1:axis]) != 1:
                    self.fail(f"Flatten with axis {axis} would merge the batch axis with features", node)
            self.values[out] = self.reshape_like(node, x, target)
        elif op == "Reshape":
            if "shape" in attrs and len(ins) == 1:
                spec = list(attrs["shape"])
            else:
                self.expect(node, ins, 2)
                if not isinstance(ins[1], _Const) or ins[1].arr.dtype.kind not in "iu":
                    self.fail("the target shape must be a constant integer tensor", node)
                spec = [int(v) for v in ins[1].arr.reshape(-1).tolist()]
            x = ins[0]
            if len(spec) > 64:
                self.fail("target shape has too many dimensions", node)
            target = self.reshape_target(node, x.shape, spec, int(attrs.get("allowzero", 0)))
            if isinstance(x, _Const):
                self.values[out] = _Const(x.exact().reshape(target), out)
                return
            x = self.reshape_like(node, self.var(x, node), target)
            batch = x.batch
            if batch is not None:
                if batch != 0 or not spec or spec[0] not in (0, -1, 1) or prod(target[1:]) != x.size:
                    self.fail(f"Reshape to {tuple(spec)} would mix the batch axis with features", node)
                batch = 0
            self.values[out] = x.with_shape(target, batch)

    def expect(self, node, ins, count):
        if len(ins) != count:
            self.fail(f"expects {count} input(s), got {len(ins)}", node)

    def constant(self, node, attrs, onnx, np):
        _, numpy_helper = _onnx()
        if len(attrs) != 1:
            self.fail("Constant needs exactly one value attribute", node)
        (key, value), = attrs.items()
        if key == "value":
            if value.data_location == onnx.TensorProto.EXTERNAL:
                self.fail("tensor data in an external file (not supported)", node)
            try:
                arr = numpy_helper.to_array(value)
            except Exception as e:
                self.fail(f"unreadable tensor ({e})", node)
        elif key in ("value_float", "value_int"):
            arr = np.array(value, dtype=np.float32 if key == "value_float" else np.int64)
        elif key in ("value_floats", "value_ints"):
            arr = np.array(list(value), dtype=np.float32 if key == "value_floats" else np.int64)
        else:
            self.fail(f"Constant with attribute {key!r} is not supported", node)
        return _Const(arr, node.output[0])


def read_onnx_bytes(data, name="model.onnx", max_parameters=MAX_PARAMETERS):
    """Exact :class:`~ftcexact.network.Network` from the bytes of an ONNX model (see the module text)."""
    onnx, numpy_helper = _onnx()
    try:
        model = onnx.load_model_from_string(bytes(data))
    except Exception as e:
        raise ModelError(one_line(f"{name}: not an ONNX model ({type(e).__name__}: {e})")) from None
    if not model.HasField("graph"):
        raise ModelError(f"{name}: not an ONNX model (no graph)")
    try:
        return _Reader(name, max_parameters).run(model.graph, onnx, numpy_helper)
    except RecursionError:
        raise ModelError(f"{name}: model nested too deeply") from None


def onnx_bytes(arrays):
    """The serialized ONNX Gemm/Relu chain of ``[(W, b), ...]`` float32 or float64 arrays (``W`` as ``(out, in)``)."""
    onnx, numpy_helper = _onnx()
    from onnx import TensorProto, helper
    dtype = arrays[0][0].dtype.name
    elem = {"float32": TensorProto.FLOAT, "float64": TensorProto.DOUBLE}[dtype]
    nodes, inits, h = [], [], "input"
    for l, (W, b) in enumerate(arrays):
        inits += [numpy_helper.from_array(W, f"W{l}"), numpy_helper.from_array(b, f"b{l}")]
        last = l == len(arrays) - 1
        out = "output" if last else f"z{l}"
        nodes.append(helper.make_node("Gemm", [h, f"W{l}", f"b{l}"], [out], name=f"gemm{l}", transB=1))
        if not last:
            nodes.append(helper.make_node("Relu", [out], [f"h{l}"], name=f"relu{l}"))
            h = f"h{l}"
    d, k = arrays[0][0].shape[1], arrays[-1][0].shape[0]
    graph = helper.make_graph(nodes, "ftcexact", [helper.make_tensor_value_info("input", elem, ["batch", d])],
                              [helper.make_tensor_value_info("output", elem, ["batch", k])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="ftcexact")
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model.SerializeToString()
