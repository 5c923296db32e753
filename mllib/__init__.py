"""Glassbox's engine: data loading, model catalogue, training, charts, export and serving.

Plain Python with no UI dependency, so every fact a page shows can be computed and tested
without a browser. Pages import the submodules they need (``from mllib import data``).
"""

from mllib.errors import GlassboxError

__all__ = ["GlassboxError"]
__version__ = "0.1.0"
