"""The modelcloud service runtime (seed Step 5 and Step 7): declare a model service with
``@modelcloud.setup`` and ``@modelcloud.command`` and serve it with ``modelcloud.run()``.

Standard library only. See server.py (run), config.py (environment variables), app.py (endpoints),
model_holder.py (hot update), supervisor.py (dev reload, pre-forked workers).
"""

from .registry import REGISTRY, ServiceDefinitionError, command, setup
from .server import run
from .supervisor import set_version_source

__all__ = ["REGISTRY", "ServiceDefinitionError", "command", "run", "set_version_source", "setup"]
