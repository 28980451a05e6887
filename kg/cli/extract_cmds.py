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
@click.option("--nlp", "model", metavar="MODEL", default=None,
              help="Read roles from the parse of a trained spaCy pipeline (an installed package's name, "
                   "such as en_core_web_sm, or a folder) before the rules; needs the extra kg[nlp].")
@click.pass_context
@handle_errors
def extract(ctx: click.Context, article: Path, article_id: str | None, output: Path | None, force: bool,
            model: str | None) -> None:
    """Draft a fact file from an article's plain text (UTF-8), for an analyst to review.

    The draft has the article's title, publisher and date where the text gives them, and the
    exercises, arms transfers, denials and confirmations it recognises, so that it builds as it
    is. Each fact's note gives the cues it was drafted from and a confidence. With -o, unknown
    people, forces, ships, weapons and organisations become proposed reference entries in
    X.proposed.yaml beside the draft X.yaml, which the draft uses (kg reads that file as reference
    entities while it lies in data/articles/); on standard output, the draft uses reference ids
    only and lists unknown names in comments. A summary goes to standard error. With --nlp, who
    supplies, receives, confirms, denies, takes part, hosts and observes is read from a spaCy
    parse first, the rules where it says nothing, and the people and organisations its entity
    recogniser finds that the reference does not know are proposed too.

    \b
    Example:
        kg extract article.txt --id zapad-2025 -o data/articles/zapad-2025.yaml
        kg extract article.txt --nlp en_core_web_sm
    """
    from ..output.export import write_atomic
    from ..extract import extract_file
    from ..extract.writer import PROPOSED_SUFFIX, proposed_name, proposed_yaml
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
    proposed = output.with_name(proposed_name(output.name)) if output is not None else None
    if proposed is not None and output.name.endswith(PROPOSED_SUFFIX):
        raise KgClickError(f"-o {output}: a name ending in {PROPOSED_SUFFIX} is kept for proposed reference entries")
    ours = proposed is not None and _made_by_kg(proposed)
    if proposed is not None and (proposed.exists() or proposed.is_symlink()):
        if not ours:
            raise KgClickError(f"{proposed} exists and kg extract did not write it; move it away "
                               "(kg never overwrites what it did not create)")
        if not force:
            raise KgClickError(f"{proposed} exists; use --force to replace it")
    vocab = vocabulary(load_ontology(project))
    # the draft's own earlier proposals are not reference: they are proposed again
    paths = [p for p in project.reference_paths() if proposed is None or not _same(p, proposed)]
    reference = read_reference([(p, project.display(p)) for p in paths], vocab)
    parser = None
    if model is not None:
        from ..extract.nlp import NlpUnavailable, reader

        try:
            parser = reader(model, reference)
        except NlpUnavailable as exc:
            raise KgClickError(f"--nlp {exc}") from None
    draft, text = extract_file(article, reference, article_id, str(article),
                               proposed.name if proposed is not None else None, parser)
    if output is None:
        click.echo(text, nl=False)
    else:
        if draft.proposals:
            write_atomic(proposed, proposed_yaml(draft, output.name).encode("utf-8"))
        elif ours:
            proposed.unlink()  # kg's own proposals of an earlier draft of this file, none now
        write_atomic(output, text.encode("utf-8"))
    counts: dict[str, int] = {}
    for fact in draft.facts:
        counts[fact.type] = counts.get(fact.type, 0) + 1
    kinds = ", ".join(f"{n} {t}" for t, n in sorted(counts.items())) or "no facts"
    where = f": {output}" if output is not None else ""
    unknown = len(draft.unresolved) + len(draft.proposals)
    shown = f", {len(draft.proposals)} proposed in {proposed}" if draft.proposals else ""
    from .report import summary

    summary(f"Drafted {len(draft.facts)} fact(s) ({kinds}); {unknown} name(s) not in the "
            f"reference{shown}{where}")


def _made_by_kg(path: Path) -> bool:
    """True when ``path`` is a regular file that kg extract wrote (its first line says so)."""
    from ..extract.writer import PROPOSED_MARK

    try:
        if path.is_symlink() or not path.is_file():
            return False
        with path.open("rb") as f:
            return f.readline(200).decode("utf-8", "replace").startswith(PROPOSED_MARK)
    except OSError:
        return False


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):
        return False
