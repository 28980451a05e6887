"""What the commands print, exactly (issue 16, points 1 and 3): label columns beside IRI columns
(``--raw`` for the W3C results as they are), chosen columns, tables fitted to a width, reports
on standard error filtered by severity, one -q/-v for every command, progress bars."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.pipeline import ensure_built
from kg.project import Project

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
ID = "https://w3id.org/milcoop/id/"
CASAREX_HEADLINE = "Iran, Russia to Launch Joint Naval Drill in Caspian Sea as Military Cooperation Deepens"
CASPIAN_HEADLINE = "Iran and Russia begin military maneuvers in the Caspian Sea"
ARTICLES = ("SELECT DISTINCT ?article ?g WHERE { GRAPH ?g { ?article schema:headline ?h } } "
            "ORDER BY ?article")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The seed project built once (a copy, so the tests never touch the work tree's build/)."""
    from conftest import copy_seed_project

    dest = copy_seed_project(tmp_path_factory.mktemp("out") / "proj")
    ensure_built(Project(dest))
    return dest


def kg(project: Path, *args: str, **kwargs):
    return CliRunner().invoke(cli, ["-C", str(project), *args], catch_exceptions=False, **kwargs)


# --- 1. label columns -------------------------------------------------------------------------


def test_csv_has_a_label_column_beside_each_iri_column(built):
    result = kg(built, "query", "exercise-partners", "--format", "csv")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout_bytes == (
        b"partner,partnerLabel,exercises,firstStart,lastStart\r\n"
        b"https://w3id.org/milcoop/id/state/RUS,Russia,2,2025-07-21,2025-07-21\r\n")


def test_raw_is_the_w3c_result_as_it_is(built):
    for fmt, expected in (
            ("csv", b"partner,exercises,firstStart,lastStart\r\n"
                    b"https://w3id.org/milcoop/id/state/RUS,2,2025-07-21,2025-07-21\r\n"),
            ("tsv", b'?partner\t?exercises\t?firstStart\t?lastStart\n'
                    b'<https://w3id.org/milcoop/id/state/RUS>\t2\t"2025-07-21"\t"2025-07-21"\n'),
            ("table", b"partner       exercises  firstStart  lastStart\n"
                      b"------------  ---------  ----------  ----------\n"
                      b"id:state/RUS  2          2025-07-21  2025-07-21\n"
                      b"(1 row)\n")):
        result = kg(built, "query", "exercise-partners", "--format", fmt, "--raw")
        assert (result.exit_code, result.stdout_bytes) == (0, expected), fmt
    doc = json.loads(kg(built, "query", "exercise-partners", "--format", "json", "--raw").stdout)
    assert doc["head"]["vars"] == ["partner", "exercises", "firstStart", "lastStart"]


def test_tsv_json_and_xml_carry_the_label_as_the_graph_has_it(built):
    result = kg(built, "query", "exercise-partners", "--format", "tsv")
    assert result.stdout == (
        '?partner\t?partnerLabel\t?exercises\t?firstStart\t?lastStart\n'
        '<https://w3id.org/milcoop/id/state/RUS>\t"Russia"@en\t2\t"2025-07-21"\t"2025-07-21"\n')
    doc = json.loads(kg(built, "query", "exercise-partners", "--format", "json").stdout)
    assert doc["head"]["vars"] == ["partner", "partnerLabel", "exercises", "firstStart", "lastStart"]
    assert doc["results"]["bindings"][0]["partnerLabel"] == {"type": "literal", "value": "Russia",
                                                             "xml:lang": "en"}
    xml = kg(built, "query", "exercise-partners", "--format", "xml").stdout
    assert '    <variable name="partnerLabel"/>\n' in xml
    assert '      <binding name="partnerLabel"><literal xml:lang="en">Russia</literal></binding>\n' in xml


def test_an_article_is_labelled_by_its_headline_and_the_table_shows_labels(built):
    """The table shows the label in the IRI's place (an article: its headline); an IRI with no
    label (a named graph) keeps its prefixed name, and its label column stays empty."""
    result = kg(built, "query", "-e", ARTICLES, "--format", "csv")
    assert result.stdout_bytes.decode("utf-8").splitlines() == [
        "article,articleLabel,g,gLabel",
        f"{ID}article/iran-russia-caspian-maneuvers,{CASPIAN_HEADLINE},"
        "https://w3id.org/milcoop/graph/article/iran-russia-caspian-maneuvers,",
        f'{ID}article/somali-magazine-casarex-2025,"{CASAREX_HEADLINE}",'
        "https://w3id.org/milcoop/graph/article/somali-magazine-casarex-2025,",
    ]
    result = kg(built, "query", "-e", ARTICLES, "--width", "0")
    width = len(CASAREX_HEADLINE)
    assert result.stdout == (
        f"{'article'.ljust(width)}  g\n"
        f"{'-' * width}  {'-' * len('graph:article/iran-russia-caspian-maneuvers')}\n"
        f"{CASPIAN_HEADLINE.ljust(width)}  graph:article/iran-russia-caspian-maneuvers\n"
        f"{CASAREX_HEADLINE}  graph:article/somali-magazine-casarex-2025\n"
        "(2 rows)\n")


def test_a_variable_of_the_querys_own_named_like_a_label_column_is_kept(built):
    text = 'SELECT ?s ?sLabel WHERE { VALUES ?s { id:state\\/RUS } BIND("mine" AS ?sLabel) }'
    result = kg(built, "query", "-e", text, "--format", "csv")
    assert result.stdout_bytes == b"s,sLabel\r\nhttps://w3id.org/milcoop/id/state/RUS,mine\r\n"


class Counting:
    """An engine that counts the queries it is given."""

    def __init__(self, engine):
        self.engine, self.name, self.queries = engine, engine.name, []

    def select(self, query, bindings):
        self.queries.append(query)
        return self.engine.select(query, bindings)

    def select_stream(self, query, bindings):
        self.queries.append(query)
        return self.engine.select_stream(query, bindings)


def test_labels_come_from_the_engine_in_one_query_per_batch_of_rows(built, monkeypatch):
    """One extra query for the labels of a result (not one a row); a result longer than a batch
    gets one a batch for the IRIs it has not met before (kept up to ``LABELS_KEPT``), and the rows
    stay in their order."""
    from kg.sparql import results
    from kg.engines.oxigraph_engine import OxigraphEngine
    from kg.sparql.results import with_labels
    from kg.sparql.terms import SelectStream, Term

    engine = Counting(OxigraphEngine.from_file(built / "build" / "kg.trig"))
    states = [f"{ID}state/{code}" for code in ("RUS", "IRN", "CHN", "AZE", "RUS")]
    rows = [{"s": Term("uri", iri), "n": Term("literal", str(i))} for i, iri in enumerate(states)]
    labelled = with_labels(SelectStream(["s", "n"], iter(rows)), engine)
    got = [(r["s"].value[-3:], r["sLabel"].value, r["n"].value) for r in labelled.rows]
    assert labelled.variables == ["s", "sLabel", "n"]
    assert got == [("RUS", "Russia", "0"), ("IRN", "Iran", "1"), ("CHN", "China", "2"),
                   ("AZE", "Azerbaijan", "3"), ("RUS", "Russia", "4")]
    assert len(engine.queries) == 1
    engine.queries.clear()
    labelled = with_labels(SelectStream(["s", "n"], iter(rows)), engine, batch=2)
    assert [r["sLabel"].value for r in labelled.rows] == ["Russia", "Iran", "China", "Azerbaijan", "Russia"]
    assert len(engine.queries) == 2  # the last batch holds Russia alone, met in the first
    engine.queries.clear()
    monkeypatch.setattr(results, "LABELS_KEPT", 1)  # forgotten at each batch: looked up again
    labelled = with_labels(SelectStream(["s", "n"], iter(rows)), engine, batch=2)
    assert [r["sLabel"].value for r in labelled.rows] == ["Russia", "Iran", "China", "Azerbaijan", "Russia"]
    assert len(engine.queries) == 3


def test_the_embedded_store_and_a_server_give_the_same_labels(built, tmp_path, oxigraph_server):
    from servers import OxigraphServer  # noqa: F401  (the fixture's server)

    expected = kg(built, "query", "exercise-partners", "--format", "csv").stdout_bytes
    store = tmp_path / "store"
    assert kg(built, "load", "--store", str(store)).exit_code == 0
    assert kg(built, "query", "exercise-partners", "--format", "csv", "--store", str(store)).stdout_bytes == expected
    assert kg(built, "load", "--endpoint", oxigraph_server.url).exit_code == 0
    result = kg(built, "query", "exercise-partners", "--format", "csv", "--endpoint", oxigraph_server.url)
    assert (result.exit_code, result.stdout_bytes) == (0, expected)
    result = kg(built, "query", "exercise-partners", "--format", "csv", "--engine", "rdflib")
    assert result.stdout_bytes == expected


# --- 3. tables that fit, reports on standard error, -q/-v, progress bars -----------------------


def test_columns_chooses_and_orders_columns(built):
    result = kg(built, "query", "exercise-partners", "--columns", "lastStart,partnerLabel", "--format", "csv")
    assert result.stdout_bytes == b"lastStart,partnerLabel\r\n2025-07-21,Russia\r\n"
    # in a table, an IRI column keeps its label (shown in its place)
    result = kg(built, "query", "exercise-partners", "--columns", "partner,exercises")
    assert result.stdout == ("partner  exercises\n"
                             "-------  ---------\n"
                             "Russia   2\n"
                             "(1 row)\n")
    result = kg(built, "query", "exercise-partners", "--columns", "partner,nope")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", "Error: --columns: no column 'nope'; the columns are partner, partnerLabel, exercises, "
               "firstStart, lastStart\n")


def test_width_cuts_cells_with_an_ellipsis(built):
    result = kg(built, "query", "exercise-partners", "--width", "38")
    # the widest column is narrowed first (the leftmost of equals), one character at a time
    assert result.stdout == ("partner  exercis…  firstSt…  lastStart\n"
                             "-------  --------  --------  ---------\n"
                             "Russia   2         2025-07…  2025-07-…\n"
                             "(1 row)\n")
    assert all(len(line) <= 38 for line in result.stdout.splitlines())
    # not a terminal: nothing is cut, whatever COLUMNS says
    wide = kg(built, "query", "exercises", env={"COLUMNS": "40"})
    assert max(len(line) for line in wide.stdout.splitlines()) > 40 and "\u2026" not in wide.stdout


def _on_terminal(project: Path, *args: str, which: str = "stdout", env: dict | None = None) -> tuple[int, str, str]:
    """Run ``kg -C project ARGS`` with its standard output (or error) on a pseudo-terminal;
    returns the exit code, what the terminal showed and what the other stream got."""
    import pty

    kg_command = Path(sys.executable).parent / "kg"
    master, slave = pty.openpty()
    streams = {"stdout": slave, "stderr": subprocess.PIPE} if which == "stdout" else \
        {"stdout": subprocess.PIPE, "stderr": slave}
    proc = subprocess.Popen([str(kg_command), "-C", str(project), *args], stdin=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})}, **streams)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal is closed when the process ends
            break
        if not chunk:
            break
        shown += chunk
    other = (proc.stderr if which == "stdout" else proc.stdout).read()
    code = proc.wait(timeout=300)
    os.close(master)
    return code, shown.decode("utf-8").replace("\r\n", "\n"), other.decode("utf-8")


def test_a_table_on_a_terminal_fits_its_width(built):
    code, shown, _ = _on_terminal(built, "query", "exercises", env={"COLUMNS": "60"})
    assert code == 0
    lines = shown.splitlines()
    assert max(len(line) for line in lines) <= 60 and "\u2026" in shown
    assert lines[-1].startswith("(") and lines[-1].endswith("rows)")
    code, shown, _ = _on_terminal(built, "query", "exercises", "--width", "0", env={"COLUMNS": "60"})
    assert max(len(line) for line in shown.splitlines()) > 60 and "\u2026" not in shown


WARNING = ("Warning: <https://w3id.org/milcoop/id/exercise/iran-russia-caspian-drill> mc:startDate: An exercise "
           "should have a start date; the source may not give one (data/articles/iran-russia-caspian-maneuvers.yaml:15)")
INFOS = [f"Info: <https://w3id.org/milcoop/id/arms-transfer/{t}> mc:quantity: The arms transfer has no quantity; "
         f"the source may not give one (data/articles/iran-russia-caspian-maneuvers.yaml:{line})"
         for t, line in (("iran-russia-drones", 97), ("iran-russia-drone-glide-bombs", 109))]
BUILT = ("Built 2 article(s), 11095 triples, 2021 inferred (0 violations, 1 warning, 2 infos): "
         "build/kg.ttl, build/kg.trig")


def test_build_reports_on_standard_error_filtered_by_severity(built):
    result = kg(built, "build")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.splitlines() == [WARNING, *INFOS, BUILT]
    result = kg(built, "build", "--severity", "warning")
    assert (result.stdout, result.stderr.splitlines()) == ("", [WARNING, BUILT])
    result = kg(built, "build", "--severity", "violation")
    assert (result.stdout, result.stderr.splitlines()) == ("", [BUILT])
    result = kg(built, "build", "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    result = kg(built, "build", "-v")  # also which articles were built again (none: both cached)
    assert result.stderr.splitlines()[:-1] == [  # and that the outputs were copied from the last build's
        "Rebuilt 0 of 2 article(s):", WARNING, *INFOS,
        "Wrote build/kg.ttl and build/kg.trig from the previous build's: 0 of 5 graph(s) changed", BUILT]
    assert re.fullmatch(r"kg build: \d+\.\d\d s", result.stderr.splitlines()[-1])


def test_validate_prints_its_report_as_data_filtered_by_severity(built):
    result = kg(built, "validate", "--severity", "warning")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, WARNING + "\n", "Conforms: 0 violations, 1 warning, 2 infos.\n")
    result = kg(built, "validate", "--severity", "violation", "--format", "json", "-q")
    assert (result.exit_code, json.loads(result.stdout), result.stderr) == (0, {"conforms": True, "results": []}, "")


def test_every_command_has_quiet_and_verbose():
    from test_cli_help import _commands

    for path, command in _commands(cli):
        if isinstance(command, click_group()):
            continue
        opts = {o for p in command.params for o in getattr(p, "opts", [])}
        assert {"-q", "--quiet", "-v", "--verbose"} <= opts, " ".join(path)


def click_group():
    import click

    return click.Group


def test_quiet_and_verbose_are_one_setting(built, tmp_path):
    result = kg(built, "query", "exercise-partners", "-q", "-v")
    assert (result.exit_code, result.stderr) == (2, "Error: give -q/--quiet or -v/--verbose, not both\n")
    store = str(tmp_path / "store")
    counts = ("graph:ontology                               2311\n"
              "graph:reference                              6197\n"
              "graph:article/iran-russia-caspian-maneuvers  279\n"
              "graph:article/somali-magazine-casarex-2025   287\n"
              "graph:inferred                               2021\n")
    result = kg(built, "load", "--store", store)
    assert (result.stdout, result.stderr) == (counts, f"Loaded 5 graph(s), 11095 triples into {store}\n")
    result = kg(built, "load", "--store", store, "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (0, counts, "")
    result = kg(built, "store", "info", "--store", store, "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (0, counts, "")
    result = kg(built, "check", "--store", store, "-q")
    assert result.exit_code == 0 and result.stderr == "" and result.stdout.startswith("== qc/")
    result = kg(built, "query", "exercise-partners", "--store", store, "-v")
    assert result.stderr.splitlines()[0] == f"exercise-partners: 1 row from the store {store}, labels looked up there"
    assert re.fullmatch(r"kg query: \d+\.\d\d s", result.stderr.splitlines()[1])
    result = kg(built, "docs", "-o", str(tmp_path / "docs"), "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_long_commands_draw_a_progress_bar_on_a_terminal_only(built, tmp_path, oxigraph_server):
    for args, label in ((("load", "--store", str(tmp_path / "store")), "Loading"),
                        (("load", "--endpoint", oxigraph_server.url), "Loading graphs"),
                        (("docs", "-o", str(tmp_path / "docs")), "Pages")):
        code, bar, out = _on_terminal(built, *args, which="stderr")
        assert code == 0, bar
        assert f"{label}  [" in bar and "100%" in bar, (args, bar)
        code, bar, out = _on_terminal(built, *args, "-q", which="stderr")
        assert (code, bar) == (0, ""), args
        result = kg(built, *args)  # standard error is not a terminal: no bar
        assert f"{label}  [" not in result.stderr


# --- README shows each option as it works -------------------------------------------------------

_PAIR = re.compile(r"```sh\n(kg [^\n]*)\n```\n\n```text\n(.*?)```", re.S)


def _readme_examples() -> list[tuple[str, str]]:
    section = README[README.index("**Labels.**"):README.index("`sipri-register` and `mme-exercises`")]
    return _PAIR.findall(section)


def test_readme_shows_labels_columns_and_width_as_they_work(built):
    import shlex

    examples = _readme_examples()
    shown = " ".join(command for command, _ in examples)
    for option in ("--raw", "--columns", "--width", "--format csv"):
        assert option in shown, option
    for command, output in examples:
        args = shlex.split(command)[1:]
        result = kg(built, *args)
        assert result.exit_code == 0, (command, result.output)
        assert result.stdout.replace("\r\n", "\n") == output, command


def test_readme_commands_for_reports_run(built, tmp_path):
    """The commands README gives for -q, -v and --severity run as shown (in a shell, from the
    project folder) and do what the comment says."""
    import shutil

    block = README[README.index("kg build --severity warning 2> build.log"):]
    lines = [line.split("#")[0].strip() for line in block[:block.index("```")].splitlines()]
    assert lines[:3] == ["kg build --severity warning 2> build.log", "kg validate --severity violation -q",
                         "kg load -v"]
    project = tmp_path / "proj"
    shutil.copytree(built, project, symlinks=True)
    bin_dir = str(Path(sys.executable).parent)
    outputs = []
    for line in lines[:3]:
        done = subprocess.run(line, shell=True, cwd=project, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"]})
        assert done.returncode == 0, (line, done.stderr)
        outputs.append(done)
    assert (project / "build.log").read_text().splitlines() == [WARNING, BUILT]
    assert (outputs[1].stdout, outputs[1].stderr) == ("", "")
    assert outputs[2].stderr.splitlines()[0] == "Loaded 5 graph(s), 11095 triples into .kg/store"
    assert re.fullmatch(r"kg load: \d+\.\d\d s", outputs[2].stderr.splitlines()[1])
