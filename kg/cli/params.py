"""The options that several commands share, each declared once, with the options it cannot be
given with or only means something with declared beside it (as Oxigraph's ``cli.rs`` declares
``conflicts_with``), so that no command checks them by hand. ``KgCommand`` enforces them."""
from __future__ import annotations

from pathlib import Path

import click

from ..engines import FILE_ENGINES


class KgOption(click.Option):
    """An option that may declare ``not_with`` (another option's name and the error when both are
    given) and ``goes_with`` (the option it needs, and the error without it)."""

    def __init__(self, *args, not_with: tuple[str, str] | None = None,
                 goes_with: tuple[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.not_with = not_with
        self.goes_with = goes_with


class KgCommand(click.Command):
    """A command that checks its options' declared conflicts once they are parsed: first every
    "not both", then every "goes with", each in the order the options are declared. Every
    command has -q/--quiet and -v/--verbose (``kg.cli.report``); with -v it says how long it took."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .report import verbosity_params

        taken = {opt for p in self.params for opt in getattr(p, "opts", ())}
        self.params.extend(p for p in verbosity_params() if not taken & set(p.opts))

    def invoke(self, ctx: click.Context):
        import time

        from .report import detail

        began = time.monotonic()
        try:
            return super().invoke(ctx)
        finally:
            detail(f"kg {ctx.command_path.split(' ', 1)[-1]}: {time.monotonic() - began:.2f} s")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = super().parse_args(ctx, args)
        given = {name for name, value in ctx.params.items() if value is not None}
        options = [p for p in self.params if isinstance(p, KgOption) and p.name in given]
        for option in options:
            if option.not_with and option.not_with[0] in given:
                raise click.UsageError(option.not_with[1], ctx=ctx)
        for option in options:
            if option.goes_with and option.goes_with[0] not in given:
                raise click.UsageError(option.goes_with[1], ctx=ctx)
        return rest


def _stack(*options):
    def decorate(func):
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


# --- where the graph is: the embedded store or a SPARQL server ------------------------------

store_option = click.option(
    "--store", "store_dir", cls=KgOption, type=click.Path(file_okay=False, path_type=Path), default=None,
    not_with=("endpoint", "give --store or --endpoint, not both"),
    help="An embedded Oxigraph store (a folder that 'kg load' filled). kg load and kg store info "
         "default to .kg/store in the project; kg query and kg check query the built graph without it.")

endpoint_option = click.option(
    "--endpoint", metavar="URL", default=None,
    help="A SPARQL 1.1 server's base URL (Oxigraph http://localhost:7878, Fuseki "
         "http://localhost:3030/DATASET) instead of the built graph or the embedded store. Credentials "
         "come from KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD, or KG_ENDPOINT_TOKEN.")

query_path_option = click.option(
    "--query-path", cls=KgOption, default=None,
    goes_with=("endpoint", "--query-path goes with --endpoint"),
    help="With --endpoint: the path (or full URL) of the SPARQL query service. "
         "Default: /query (Oxigraph, Fuseki).")

gsp_path_option = click.option(
    "--gsp-path", cls=KgOption, default=None,
    goes_with=("endpoint", "--gsp-path goes with --endpoint"),
    help="With --endpoint: the path (or full URL) of the Graph Store HTTP Protocol "
         "service. Default: /store (Oxigraph); Fuseki: /data.")

timeout_option = click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
    help="Seconds a query may take before it is stopped with an error (with --endpoint: each "
         "request, its whole answer included).")

retries_option = click.option(
    "--retries", type=click.IntRange(min=0), default=3, show_default=True,
    help="With --endpoint: how many times to retry after a connection error or a "
         "5xx answer, waiting longer each time.")

max_answer_option = click.option(
    "--max-answer-mb", "max_answer_mb", type=click.FloatRange(min=0.001), default=128, show_default=True,
    help="With --endpoint: the largest answer read from the server, in MB; a larger one is an error.")

#: --endpoint and how to talk to the server (kg store info)
endpoint_options = _stack(endpoint_option, query_path_option, timeout_option, retries_option, max_answer_option)

#: the same, with the Graph Store Protocol's path (kg load)
load_endpoint_options = _stack(endpoint_option, gsp_path_option, query_path_option, timeout_option,
                               retries_option, max_answer_option)

#: where a query runs: the built graph (by an engine), an embedded store or a server (kg query, kg check)
query_target_options = _stack(
    click.option("--engine", type=click.Choice(FILE_ENGINES), default=FILE_ENGINES[0],
                 show_default=True,
                 help="The engine that runs queries on the built graph (ignored with --store or --endpoint)."),
    store_option, endpoint_option, query_path_option, timeout_option, retries_option, max_answer_option)


# --- building -------------------------------------------------------------------------------

#: which validation results are printed (kg build, kg validate)
severity_option = click.option(
    "--severity", type=click.Choice(["info", "warning", "violation"]), default="info", show_default=True,
    help="Print the validation results of this severity or worse (the exit code is that of the whole "
         "report).")

#: --engine, --jobs and --no-cache (kg build, kg validate)
build_options = _stack(
    click.option("--engine", type=click.Choice(["fast", "reference"]), default="fast", show_default=True,
                 help="fast: shapes checked in Python and Oxigraph, inference by rules; reference: "
                      "pySHACL and owlrl (same results, much slower)."),
    click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
                 help="Build, validate and reason over articles in this many processes."),
    click.option("--no-cache", is_flag=True,
                 help="Rebuild every article instead of taking unchanged ones from .kg/cache/."),
    severity_option,
)


# --- how results are printed ----------------------------------------------------------------

raw_option = click.option(
    "--raw", is_flag=True,
    help="The query's own columns only, exactly as the W3C results formats have them: no label "
         "columns, and IRIs (prefixed) in tables.")

width_option = click.option(
    "--width", type=click.IntRange(min=0), default=None, metavar="N",
    help="Fit tables in N characters, cutting long cells with '…'. Default: the terminal's width "
         "(COLUMNS where set) when standard output is a terminal, else no limit; 0: never cut.")

columns_option = click.option(
    "--columns", metavar="A,B,...", default=None,
    help="Print only these columns, in this order (names as in the header, label columns such as "
         "partnerLabel included).")

#: --raw and --width (kg check); kg query adds --columns
result_options = _stack(raw_option, width_option)
