"""``python -m modelcloud inspect PATH/cloud_model.py``: the commands and schemas of a service, as JSON.

The module is imported under its own name (not ``__main__``), so its ``modelcloud.run()`` call is
not reached and setup() is not called: inspecting never loads the model or opens a port.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import traceback
from typing import Any, Dict

from .config import service_name
from .openapi import openapi_document
from .registry import REGISTRY


class InspectError(Exception):
    pass


def inspect_service(path: str) -> Dict[str, Any]:
    path = os.path.abspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, "cloud_model.py")
    if not os.path.isfile(path):
        raise InspectError("%s does not exist; pass the service's cloud_model.py (or its folder)" % path)
    folder = os.path.dirname(path)
    name = os.path.splitext(os.path.basename(path))[0]
    REGISTRY.clear()
    old_cwd = os.getcwd()
    sys.path.insert(0, folder)
    os.chdir(folder)  # the module may open files relative to its folder, as it does when served
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise InspectError("cannot import %s as a Python module" % path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except SystemExit as err:
            raise InspectError("importing %s called exit(%s); keep module-level code free of side effects and "
                               "start the server under `if __name__ == '__main__':`" % (path, err.code)) from None
        except BaseException as err:
            raise InspectError("importing %s failed: %s: %s\n%s" % (path, type(err).__name__, err,
                                                                   traceback.format_exc().rstrip())) from None
    finally:
        os.chdir(old_cwd)
    if not REGISTRY.commands:
        raise InspectError("%s declares no commands; decorate a function with @modelcloud.command('predict', "
                           "inputs=..., outputs=...)" % path)
    service = service_name(folder)
    return {
        "service": service,
        "file": path,
        "setup": REGISTRY.setup_fn is not None,
        "commands": [REGISTRY.commands[n].describe() for n in REGISTRY.command_names()],
        "openapi": openapi_document(REGISTRY, service),
    }
