"""``python -m modelcloud --version`` / ``--store``: lets the extension check the client.
``python -m modelcloud inspect PATH/cloud_model.py``: a service's commands and schemas as JSON."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from ._store import resolve_store_dir
from ._version import __version__


def main(argv: Optional[List[str]] = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["inspect"]:
        return _inspect(args_in[1:])
    parser = argparse.ArgumentParser(prog="python -m modelcloud", description="Modelcloud tracking client.")
    parser.add_argument("--version", action="store_true", help="print 'modelcloud <version>' and exit")
    parser.add_argument("--store", action="store_true", help="print the store folder runs would be logged to")
    args = parser.parse_args(args_in)
    if args.version:
        print("modelcloud %s" % __version__)
    elif args.store:
        print(resolve_store_dir())
    else:
        parser.print_help()
    return 0


def _inspect(argv: List[str]) -> int:
    import json

    from .serving.inspect_service import InspectError, inspect_service

    parser = argparse.ArgumentParser(prog="python -m modelcloud inspect",
                                     description="Print a model service's commands and schemas as JSON.")
    parser.add_argument("path", help="the service's cloud_model.py (or its folder)")
    args = parser.parse_args(argv)
    try:
        info = inspect_service(args.path)
    except InspectError as err:
        sys.stderr.write("modelcloud inspect: %s\n" % err)
        return 1
    sys.stdout.write(json.dumps(info, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
