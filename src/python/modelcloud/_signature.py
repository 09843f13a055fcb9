"""Model input/output signatures inferred from an example, without importing numpy or pandas.

A signature is plain JSON (it goes into the run log, MLmodel.json and the registry):

    {"inputs":  [{"name": "alcohol", "type": "double"}, ...]          # columns (dict, DataFrame)
               | {"type": "tensor", "dtype": "float64", "shape": [-1, 4]},   # numpy array
     "outputs": same shapes, or null}

Types are MLflow's column type names (double, long, boolean, string, binary) so a signature
reads the same to someone used to MLflow. numpy/pandas objects are recognised only when the
caller already imported those libraries (``sys.modules``): logging a model never pays their
import time, and the client keeps working where they are not installed.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Dict, Optional


class SignatureError(ValueError):
    """An explicit signature is not valid JSON of the documented shape."""


def _scalar_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (bytes, bytearray)):
        return "binary"
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic):
        return _numpy_kind(value.dtype)
    return "string" if value is None else type(value).__name__


def _numpy_kind(dtype: Any) -> str:
    kind = getattr(dtype, "kind", "O")
    return {"b": "boolean", "i": "long", "u": "long", "f": "double", "U": "string", "S": "binary"}.get(kind, "string")


def _column_of(name: Any, value: Any) -> Dict[str, Any]:
    if isinstance(value, (list, tuple)):
        kinds = sorted({_scalar_type(v) for v in value if v is not None})
        return {"name": str(name), "type": kinds[0] if len(kinds) == 1 else "string"}
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray):
        return {"name": str(name), "type": _numpy_kind(value.dtype)}
    return {"name": str(name), "type": _scalar_type(value)}


def describe_data(example: Any) -> Optional[Any]:
    """The schema of ``example``: a column list or a tensor spec; None when the type is unknown."""
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(example, pandas.DataFrame):
        return [{"name": str(col), "type": _numpy_kind(dtype)} for col, dtype in example.dtypes.items()]
    if pandas is not None and isinstance(example, pandas.Series):
        return {"type": "tensor", "dtype": str(example.dtype), "shape": [-1]}
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(example, numpy.ndarray):
        return {"type": "tensor", "dtype": str(example.dtype), "shape": [-1] + list(example.shape[1:])}
    if isinstance(example, dict):
        return [_column_of(k, v) for k, v in example.items()]
    if isinstance(example, (list, tuple)) and example and isinstance(example[0], dict):
        return [_column_of(k, v) for k, v in example[0].items()]  # records: the first row names the columns
    return None


def infer_signature(model: Any, input_example: Any) -> Optional[Dict[str, Any]]:
    """Inputs from ``input_example``; outputs from ``model.predict(input_example)`` when that works.

    Prediction is best effort (the example may be a dict the model cannot take): a failure
    only leaves ``outputs`` null.
    """
    if input_example is None:
        return None
    inputs = describe_data(input_example)
    if inputs is None:
        return None
    outputs = None
    predict = getattr(model, "predict", None)
    if callable(predict) and not isinstance(input_example, (dict, list, tuple)):
        try:
            outputs = describe_data(predict(input_example))
        except Exception:
            outputs = None
    return {"inputs": inputs, "outputs": outputs}


def check_signature(signature: Any) -> Dict[str, Any]:
    """An explicit ``signature=``: a dict with ``inputs`` (and optionally ``outputs``), JSON-serialisable."""
    if not isinstance(signature, dict) or "inputs" not in signature:
        raise SignatureError(
            "log_model: signature must be a dict like {'inputs': [{'name': 'x', 'type': 'double'}], "
            "'outputs': None}, got %r; or omit it and pass input_example= to infer one" % (signature,)
        )
    unknown = sorted(set(signature) - {"inputs", "outputs"})
    if unknown:
        raise SignatureError("log_model: signature has unknown keys %s; only 'inputs' and 'outputs' are allowed"
                             % ", ".join(map(repr, unknown)))
    try:
        json.dumps(signature, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise SignatureError("log_model: signature must be plain JSON (lists, dicts, strings, numbers): %s" % exc) from None
    return {"inputs": signature["inputs"], "outputs": signature.get("outputs")}

