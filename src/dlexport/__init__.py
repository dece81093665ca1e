"""dlexport: one YAML corpus of deep-learning interview questions, many kinds of study material.

`dlexport.build(settings, selection, formats, options, out=...)` runs the whole pipeline (see pipeline.py).
"""

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "build":  # imported on first use: `import dlexport` stays light for the CLI
        from dlexport.pipeline import build

        return build
    raise AttributeError(name)
