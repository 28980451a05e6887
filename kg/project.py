"""Where a project's files are: its ontology, shapes, reference entities, articles, queries,
cache and build (the ontology and shapes are read by ``kg.inputs.ontology``)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .inputs.files import shown

ONTOLOGY_FILES = ("milcoop.ttl", "vocab.ttl")
SHAPES_FILE = "shapes.ttl"
#: reference entries that ``kg extract`` proposes beside a draft in data/articles/
PROPOSED_SUFFIX = ".proposed.yaml"


@dataclass
class Project:
    """A project folder: ``ontology/``, ``data/reference``, ``data/articles``, ``queries/``."""

    root: Path

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def reference_dir(self) -> Path:
        return self.root / "data" / "reference"

    @property
    def articles_dir(self) -> Path:
        return self.root / "data" / "articles"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def cache_dir(self) -> Path:
        """Per-article build results (``kg.build.cache``); safe to delete."""
        return self.root / ".kg" / "cache"

    def display(self, path: Path) -> str:
        """A path as errors show it: relative to the project where it is inside, on one line
        (control characters escaped)."""
        mine, root = Path(os.path.abspath(path)), Path(os.path.abspath(self.root))
        try:
            return shown(mine.relative_to(root).as_posix())
        except ValueError:
            pass
        try:  # a link is shown where it is
            return shown(path.resolve().relative_to(self.root.resolve()).as_posix())
        except (ValueError, OSError, RuntimeError):  # outside, or a symlink loop
            return shown(path)

    def ontology_paths(self) -> list[Path]:
        return [self.ontology_dir / name for name in ONTOLOGY_FILES]

    def shapes_path(self) -> Path:
        return self.ontology_dir / SHAPES_FILE

    def reference_paths(self) -> list[Path]:
        """The reference files, then the reference entries ``kg extract`` proposed beside its
        drafts (``data/articles/*.proposed.yaml``)."""
        return sorted(self.reference_dir.glob("*.yaml")) + sorted(self.articles_dir.glob("*" + PROPOSED_SUFFIX))

    def article_paths(self) -> list[Path]:
        # by name, as sorting the paths would (one folder), without comparing Path objects
        return sorted((p for p in self.articles_dir.glob("*.yaml") if not p.name.endswith(PROPOSED_SUFFIX)),
                      key=lambda p: p.name)

    def input_paths(self) -> list[Path]:
        """Every file a build reads."""
        return [*self.ontology_paths(), self.shapes_path(), *self.reference_paths(), *self.article_paths()]

    def newest_input_mtime(self) -> float:
        times = [p.stat().st_mtime for p in self.input_paths() if p.exists()]
        # A removed article changes the folder's mtime.
        times += [d.stat().st_mtime for d in (self.articles_dir, self.reference_dir) if d.exists()]
        return max(times, default=0.0)


def find_project(start: Path | None = None) -> Project:
    """The project at ``start`` (default: the working directory), or the nearest folder above it
    that has ``data/`` and ``ontology/``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "ontology").is_dir() and (folder / "data").is_dir():
            return Project(folder)
    if start is not None:
        raise InputError(f"{start} is not a kg project (it needs ontology/ and data/)")
    raise InputError(f"{os.getcwd()} is not inside a kg project (no ontology/ and data/ found)")
