"""The package layout is the pipeline: every import in ``kg/`` goes down the stages, never up,
and no module imports itself back through others.

The test reads every module of ``kg/`` with ``ast`` (imports at module level and inside
functions alike: an import inside a function is still a dependency), builds the import graph and
fails on any cycle and on any import of a higher stage. A new module must be given its stage in
``LAYERS``.
"""
from __future__ import annotations

import ast
from pathlib import Path

KG = Path(__file__).resolve().parent.parent / "kg"

#: the stages, bottom to top: a module may import its own stage and those below it. A module
#: belongs to the stage of the longest name here that it is or lies under.
LAYERS: list[tuple[str, list[str]]] = [
    ("base", ["kg", "kg.errors", "kg.namespaces"]),
    ("inputs", ["kg.inputs", "kg.project"]),
    ("sparql", ["kg.sparql"]),
    ("build", ["kg.build"]),
    ("output", ["kg.output"]),
    # runs the build stages in order and hands their result to output: above both
    ("pipeline", ["kg.pipeline"]),
    ("engines", ["kg.engines"]),
    ("stores", ["kg.stores"]),
    ("queries", ["kg.queries"]),
    ("present", ["kg.present"]),
    ("extract", ["kg.extract"]),
    # the web pages (kg serve): read through engines and queries, draw with present
    ("serve", ["kg.serve"]),
    ("cli", ["kg.cli", "kg.__main__"]),
]


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(KG.rglob("*.py")):
        parts = ["kg", *path.relative_to(KG).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of ``kg`` that ``name`` imports, wherever in the file."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            # ``from pkg import mod`` depends on pkg.mod (a package is loaded before any of its
            # modules, whatever imports them); ``from mod import name`` on mod
            subs = [f"{base}.{alias.name}" for alias in node.names]
            targets = subs if all(sub in known for sub in subs) else [base]
        else:
            continue
        for target in targets:
            while target and target not in known:  # ``import kg.a.b`` of a name inside a module
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def layer_of(name: str) -> int:
    best, level = -1, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            matches = name == prefix or (prefix != "kg" and name.startswith(prefix + "."))
            if matches and len(prefix) > best:
                best, level = len(prefix), i
    assert level is not None, f"{name} has no stage in tests/test_layout.py LAYERS"
    return level


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def test_every_module_has_a_stage():
    for name in modules():
        layer_of(name)


def test_no_upward_import():
    upward = []
    for name, deps in sorted(graph().items()):
        for dep in sorted(deps):
            if layer_of(dep) > layer_of(name):
                upward.append(f"{name} ({LAYERS[layer_of(name)][0]}) imports {dep} ({LAYERS[layer_of(dep)][0]})")
    assert not upward, "imports that go up the stages:\n" + "\n".join(upward)


def test_no_import_cycle():
    edges = graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for dep in sorted(edges[node]):
            if state.get(dep) == 1:
                cycles.append(path[path.index(dep):] + [dep])
            elif dep not in state:
                visit(dep)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_test_sees_a_cycle_and_an_upward_import(tmp_path):
    """The checks above do find what they look for (on a made-up package)."""
    pkg = tmp_path / "kg"
    (pkg / "sparql").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "errors.py").write_text("def f():\n    from .sparql import terms\n")
    (pkg / "sparql" / "__init__.py").write_text("")
    (pkg / "sparql" / "terms.py").write_text("from ..errors import f\n")
    globals()["KG"], saved = pkg, KG
    try:
        edges = graph()
        assert edges["kg.errors"] == {"kg.sparql.terms"}
        assert layer_of("kg.sparql.terms") > layer_of("kg.errors")
        try:
            test_no_import_cycle()
        except AssertionError as exc:
            assert "kg.errors -> kg.sparql.terms -> kg.errors" in str(exc)
        else:
            raise AssertionError("the cycle was not found")
    finally:
        globals()["KG"] = saved


# --- engines are told apart by their facades only -------------------------------------------

#: the facades (and the engines themselves): the only places that may look at an engine's name
FACADES = ("kg.build.shacl", "kg.build.reasoning", "kg.engines")


def _names_an_engine(node: ast.AST) -> bool:
    """``engine``, ``self.engine``, ``setup.engine``, ``reasoner``, ``validator``...: a value
    that stands for an engine or names one."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return any(word in name.lower() for word in ("engine", "reasoner", "validator"))


def _is_names(node: ast.AST) -> bool:
    """A string, a tuple/list/set of strings, or a name in capitals (``ENGINES``)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts)
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return name.isupper()


def engine_dispatch(source: str, filename: str = "<source>") -> list[str]:
    """The lines of ``source`` that test an engine's name (``engine == "fast"``,
    ``engine in ENGINES``) or ask an engine what it has (``hasattr(reasoner, ...)``)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_names_an_engine(s) for s in sides) and any(_is_names(s) for s in sides):
                found.append((node.lineno, ast.unparse(node)))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "hasattr"
              and node.args and _names_an_engine(node.args[0])):
            found.append((node.lineno, ast.unparse(node)))
    return [f"{filename}:{line}: {text}" for line, text in sorted(found)]


def test_no_engine_dispatch_outside_the_facades():
    """Callers never test an engine's name or use ``hasattr`` on one: the facades
    (``kg.build.shacl.facade``, ``kg.build.reasoning.reasoner``, ``kg.engines``) do."""
    found = []
    for name, path in modules().items():
        if not any(name == f or name.startswith(f + ".") for f in FACADES):
            found += engine_dispatch(path.read_text(encoding="utf-8"), str(path.relative_to(KG.parent)))
    assert not found, "engine dispatch outside the facades:\n" + "\n".join(found)


def test_the_test_sees_engine_dispatch():
    source = ('if engine == "fast":\n    pass\n'
              'x = a if self.engine != "reference" else b\n'
              'if setup.engine in ENGINES:\n    pass\n'
              'if hasattr(reasoner, "inferred"):\n    pass\n'
              'if fmt == "json" or engine is None or hasattr(item, "asList"):\n    pass\n')
    # not line 8: ``engine is None`` names no engine, ``hasattr(item, ...)`` asks no engine
    assert sorted(int(line.split(":")[1]) for line in engine_dispatch(source)) == [1, 3, 4, 6]
