"""``kg viz``, ``kg docs``, ``kg stats``, ``kg diff``: pictures, documentation, statistics and the
changes between two builds."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ExitCode
from .group import cli, handle_errors, project_of
from .report import summary


def _shown(project, path: Path) -> str:
    """A path as the user knows it: relative to the project, symbolic links (build/) kept."""
    import os

    full, root = os.path.abspath(path), os.path.abspath(project.root)
    return os.path.relpath(full, root) if full.startswith(root + os.sep) else str(path)


@cli.command()
@click.argument("entity")
@click.option("--depth", type=click.IntRange(0, 6), default=1, show_default=True,
              help="How many links away from ENTITY to go (0: ENTITY alone). A fact reached on the way (an "
                   "exercise, a transfer...) brings the entities it names along.")
@click.option("--format", "fmt", type=click.Choice(["html", "mermaid", "dot"]), default="html", show_default=True,
              help="An interactive HTML page that works offline, Mermaid text (renders in Markdown on "
                   "common code hosts) or Graphviz DOT.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None,
              help="The file to write (atomically); '-' for standard output. Default: "
                   ".kg/viz/<entity>.html for html, standard output for mermaid and dot.")
@click.option("--no-inferred", is_flag=True,
              help="Leave out the links inferred from the ontology (drawn dashed otherwise).")
@click.pass_context
@handle_errors
def viz(ctx: click.Context, entity: str, depth: int, fmt: str, output: Path | None, no_inferred: bool) -> None:
    """Draw the neighbourhood of an entity: an exercise with its participants, host, observers
    and their states; a state with its forces, exercises and transfers.

    ENTITY is an id (casarex-2025, IRN), a label or alias (Iran) or an IRI. Colours tell the
    class (state, force, exercise, transfer, person...); links are labelled with their property;
    observers are grey with a circle at the end, participants thick, inferred links dashed.

    \b
    Example:
        kg viz casarex-2025
        kg viz Iran --depth 1 -o iran.html
        kg viz casarex-2025 --format mermaid > casarex.mmd
        kg viz IRN --format dot | dot -Tsvg > iran.svg
    """
    from ..output.export import write_atomic
    from ..output.publish import check_outside_generations
    from ..pipeline import NAMED, ensure_built
    from ..present.viz import GraphData, default_page, neighbourhood, render, resolve

    project = project_of(ctx)
    if output is not None and str(output) != "-":  # before the work: a page must outlive the next build
        check_outside_generations(output, _shown(project, output))
    data = GraphData.from_trig(ensure_built(project) / NAMED)
    root = resolve(data, entity)
    hood = neighbourhood(data, root, depth, with_inferred=not no_inferred)
    text = render(hood, fmt)
    if output is None and fmt == "html":
        output = default_page(project.root, str(root))
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
        return
    write_atomic(output, text.encode("utf-8"))
    summary(f"Wrote {_shown(project, output)}: {hood.root_node.label}, {len(hood.nodes)} entities, "
            f"{len(hood.edges)} links")


@cli.command()
@click.option("-o", "--out-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the pages: a new or empty folder, or one that 'kg docs' made (anything "
                   "else is refused). Default: .kg/docs/ in the project.")
@click.pass_context
@handle_errors
def docs(ctx: click.Context, out_dir: Path | None) -> None:
    """Write HTML documentation: the ontology (by pyLODE), the SKOS schemes, the saved queries
    with their parameters and the SHACL shapes with their messages.

    The pages are self-contained (they fetch nothing); open index.html. They are kept beside
    the build, not in it: a later 'kg build' leaves them as they are.

    \b
    Example:
        kg docs
        kg docs -o site/
    """
    from ..present.docs import PAGE_COUNT, write
    from .report import progress

    project = project_of(ctx)
    with progress("Pages", PAGE_COUNT) as advance:
        folder, names = write(project, out_dir, advance)
    summary(f"Wrote {len(names)} pages to {_shown(project, folder)}: {', '.join(names)}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Tables for people, or JSON for programs.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many of the entities mentioned by most articles to list.")
@click.pass_context
@handle_errors
def stats(ctx: click.Context, fmt: str, top: int) -> None:
    """Print statistics: entities per class, facts and triples per article, facts per type,
    the entities mentioned by most articles, facts per certainty (stated, reported, attributed,
    denied) and the warnings and violations of validation.

    Exits 1 when the data does not conform to the shapes (the statistics are printed all the
    same).

    \b
    Example:
        kg stats
        kg stats --format json --top 20
    """
    from ..pipeline import run
    from ..present.stats import compute, to_json, to_text

    project = project_of(ctx)
    validated = project.shapes_path().exists()
    result = run(project, validate_graphs=validated, reason="none")
    data = compute(result, top=top, validated=validated)
    click.echo(to_json(data) if fmt == "json" else to_text(data), nl=False)
    if not result.report.conforms:
        sys.exit(ExitCode.NOT_CONFORMING)


@cli.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path), required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="A report for people, or JSON (graphs, subjects and statements as N-Triples terms).")
@click.option("--inferred", is_flag=True, help="Compare graph:inferred too (left out: it follows from the rest).")
@click.pass_context
@handle_errors
def diff(ctx: click.Context, old: Path, new: Path | None, fmt: str, inferred: bool) -> None:
    """What changed between two builds: named graphs (articles, the reference, the ontology) added,
    removed or changed, and in each the subjects (facts, claims, entities) added, removed or
    changed, with the statements that differ. Exit 1 when they differ, 0 when they do not.

    OLD and NEW are build folders (or their kg.trig). Without NEW, OLD is compared with the
    project's data as it is now (built first where build/ is stale).

    \b
    Example:
        cp -rL build /tmp/before     # keep the build you review against
        kg diff /tmp/before          # after editing data/: what the edit changed
        kg diff /tmp/before build --format json
    """
    from ..pipeline import NAMED, ensure_built
    from ..present.diff import diff as compare, read_build, render_json, render_text

    project = project_of(ctx)
    right = new if new is not None else ensure_built(project) / NAMED
    left_graphs = read_build(old, str(old), inferred)
    right_shown = str(new) if new is not None else "the project's data"
    d = compare(left_graphs, read_build(right, right_shown, inferred))
    click.echo(render_json(d) if fmt == "json" else render_text(d, str(old), right_shown), nl=False)
    if not d.same:
        ctx.exit(ExitCode.NOT_CONFORMING)
