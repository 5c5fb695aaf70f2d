"""The Python code for Flywheel's messages (flywheel_pb2) and the schema hash.

An installed package carries both, made at install time from the installed
flywheel.proto (`cmake --install`, see docs/install.md). From a source tree, or with
an explicit .proto, the code is generated with protoc on first use into a cache
directory named after the .proto's hash, so a changed .proto gets fresh code.
"""

import hashlib
import importlib.util
import os
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# agents/python/flywheel_agent/ -> protocol/flywheel.proto, when run from a checkout.
SOURCE_PROTO = os.path.normpath(os.path.join(HERE, "..", "..", "..", "protocol",
                                             "flywheel.proto"))


def load(proto_path=None):
    """Returns (flywheel_pb2 module, schema hash). Without proto_path: the installed
    bindings if there are any, else those of the source tree's .proto."""
    if proto_path is None:
        try:
            from . import flywheel_pb2, _schema  # written by `cmake --install`
            return flywheel_pb2, _schema.SCHEMA_HASH
        except ImportError:
            proto_path = SOURCE_PROTO
    if not os.path.exists(proto_path):
        raise FileNotFoundError(
            f"no bindings installed and no .proto at {proto_path}: install Flywheel "
            "(cmake --install) or give the path of flywheel.proto")
    return _generate(proto_path)


def _generate(proto_path):
    with open(proto_path, "rb") as f:
        schema_hash = hashlib.sha256(f.read()).hexdigest()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    out = os.path.join(base, "flywheel", "python-" + schema_hash[:16])
    module = os.path.join(out, "flywheel_pb2.py")
    if not os.path.exists(module):
        os.makedirs(out, exist_ok=True)
        # Generate into a private directory, then rename: two agents starting at once
        # never import half a file.
        tmp = tempfile.mkdtemp(dir=out)
        subprocess.run(["protoc", "--python_out=" + tmp, "-I" + os.path.dirname(proto_path),
                        proto_path], check=True)
        os.replace(os.path.join(tmp, "flywheel_pb2.py"), module)
        os.rmdir(tmp)
    spec = importlib.util.spec_from_file_location("flywheel_pb2", module)
    pb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pb)
    return pb, schema_hash
