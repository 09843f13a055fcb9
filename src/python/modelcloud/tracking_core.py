"""Drop-in module for the seed project's ``from tracking_core import ModelTrack``.

Works as ``from modelcloud.tracking_core import ModelTrack`` and also when this
folder itself is on sys.path (``from tracking_core import ModelTrack``).
"""

if __package__:
    from ._modeltrack import ModelTrack
else:  # imported as a top-level module: make the package importable first
    import os as _os
    import sys as _sys

    _sys.path.insert(0, _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))))
    from modelcloud._modeltrack import ModelTrack

__all__ = ["ModelTrack"]
