"""``python -m modelcloud --version`` / ``--store``: lets the extension check the client."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from ._store import resolve_store_dir
from ._version import __version__


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m modelcloud", description="Modelcloud tracking client.")
    parser.add_argument("--version", action="store_true", help="print 'modelcloud <version>' and exit")
    parser.add_argument("--store", action="store_true", help="print the store folder runs would be logged to")
    args = parser.parse_args(argv)
    if args.version:
        print("modelcloud %s" % __version__)
    elif args.store:
        print(resolve_store_dir())
    else:
        parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
