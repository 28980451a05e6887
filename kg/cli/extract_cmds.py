"""``kg extract``: a draft fact file from the plain text of a news article."""
from __future__ import annotations

import re
from pathlib import Path

import click

from .group import KgClickError, cli, handle_errors, project_of


@cli.command("extract")
@click.argument("article", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--id", "article_id", default=None,
              help="The article's id in the fact file. Default: made from the file's name.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The fact file to write (atomically). Default: standard output.")
@click.option("--force", is_flag=True, help="Replace the output file when it exists.")
@click.pass_context
@handle_errors
def extract(ctx: click.Context, article: Path, article_id: str | None, output: Path | None, force: bool) -> None:
    """Draft a fact file from an article's plain text (UTF-8), for an analyst to review.

    The draft has the article's title, publisher and date where the text gives them, and the
    exercises, arms transfers, denials and confirmations it recognises, with reference ids only,
    so that it builds as it is. Each fact's note gives the cues it was drafted from and a
    confidence; names not in the reference entities are listed, with suggested entries, in
    comments at the top. A summary goes to standard error.

    \b
    Example:
        kg extract article.txt --id zapad-2025 -o data/articles/zapad-2025.yaml
    """
    from ..output.export import write_atomic
    from ..extract import extract_file
    from ..inputs.facts import read_reference
    from ..inputs.ontology import load_ontology, vocabulary

    project = project_of(ctx)
    if article_id is None:
        article_id = re.sub(r"[^A-Za-z0-9._-]+", "-", article.stem).strip("-._") or "article"
    from ..inputs.facts import ID_RE

    if not ID_RE.match(article_id):
        raise KgClickError(f"--id {article_id!r} must start with a letter or digit and use only letters, "
                           "digits, '.', '_' and '-' (at most 120 characters)")
    if output is not None and output.exists() and not force:
        raise KgClickError(f"{output} exists; use --force to replace it")
    vocab = vocabulary(load_ontology(project))
    reference = read_reference([(p, project.display(p)) for p in project.reference_paths()], vocab)
    draft, text = extract_file(article, reference, article_id, str(article))
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text.encode("utf-8"))
    counts: dict[str, int] = {}
    for fact in draft.facts:
        counts[fact.type] = counts.get(fact.type, 0) + 1
    kinds = ", ".join(f"{n} {t}" for t, n in sorted(counts.items())) or "no facts"
    where = f": {output}" if output is not None else ""
    click.echo(f"Drafted {len(draft.facts)} fact(s) ({kinds}); {len(draft.unresolved)} name(s) not in the "
               f"reference{where}", err=True)
