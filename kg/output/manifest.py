"""The build manifest, ``build/manifest.json``: the triple count of each graph that the build
wrote. ``kg load`` checks what it loaded against it."""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import KgError

MANIFEST = "manifest.json"


def read_manifest(build_dir: Path) -> dict[str, int]:
    """The triple count of each graph that the build wrote (``build/manifest.json``)."""
    path = build_dir / MANIFEST
    try:
        graphs = json.loads(path.read_text(encoding="utf-8"))["graphs"]
        return {str(k): int(v) for k, v in graphs.items()}
    except FileNotFoundError:
        raise KgError(f"{path}: no build manifest; run 'kg build'") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise KgError(f"{path}: not a build manifest (no triple count per graph); run 'kg build'") from None
