"""Values: one checker per kind (``kg.inputs.values``), the same verdict wherever a value comes in.

Fact and reference files (explicit YAML tags, control characters, dates with a month or day
00, durations too long for a date library), query parameters (dates, whole numbers, bytes that
are not UTF-8) and the IRIs of the ontology, the vocabularies and the shapes: each bad value is
one line ``Error: <file>:<line>: <what>``, exit 2, nothing built.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.inputs import values as V
from kg.cli import cli
from kg.engines.rdflib_engine import RdflibEngine
from kg.errors import InputError
from kg.queries import bind_params, parse_query_file
from edits import edit

ARTICLE = "data/articles/somali-magazine-casarex-2025.yaml"
FORCES = "data/reference/forces.yaml"


def kg(project: Path, *args: str):
    return CliRunner().invoke(cli, ["-C", str(project), *args], catch_exceptions=False)


def _refused(project: Path, rel: str, line: int | None, message: str, command: str = "build") -> None:
    result = kg(project, command)
    where = f"{rel}:{line}" if line is not None else rel
    assert (result.exit_code, result.stdout) == (2, ""), result.output
    assert result.stderr == f"Error: {where}: {message}\n"
    assert not (project / "build").exists()


TAG = "tag 'tag:yaml.org,2002:{}' is not allowed; only plain YAML values are"

# (file, what is there, what replaces it, the error)
BAD_VALUES = {
    # explicit tags slipped values past the checks
    "bool-tag": (ARTICLE, "joint: true", "joint: !!bool maybe", TAG.format("bool")),  # was read as false
    "null-tag": (ARTICLE, "codename: CASAREX 2025", "codename: !!null CASAREX 2025", TAG.format("null")),  # dropped
    "int-tag": (ARTICLE, "state_count: 5", 'state_count: !!int "\u0661\u0662"', TAG.format("int")),  # read as 12
    "float-tag": (ARTICLE, "state_count: 5", "state_count: !!float 5", TAG.format("float")),
    "timestamp-tag": (ARTICLE, "start: {date: 2025-07-21,", 'start: {date: !!timestamp "2025-07-21",',
                      TAG.format("timestamp")),
    "non-specific-tag": (ARTICLE, "state_count: 5", "state_count: ! 5", "tag '!' is not allowed; only plain YAML values are"),
    "tag-in-reference": (FORCES, "  - id: irgc\n", "  - id: !!int 7\n", TAG.format("int")),
    # control characters written as escapes in double quotes
    "nul": (ARTICLE, "codename: CASAREX 2025", 'codename: "CASAREX\\0"',
            "'codename' holds a control character (U+0000) at character 8"),
    "escape-sequence": (ARTICLE, "codename: CASAREX 2025", 'codename: "CASAREX\\e[2J"',
                        "'codename' holds a control character (U+001B) at character 8"),
    "tab-in-title": (ARTICLE, "  title: Iran, Russia to", '  title: "Iran,\\tRussia" #',
                     "'title' holds a control character (U+0009) at character 6"),
    "line-break-in-label": (FORCES, "label: Islamic Revolutionary Guard Corps", 'label: "Islamic\\nRevolutionary Guard Corps"',
                            "'label' holds a line break (U+000A) at character 8"),
    "line-separator-in-label": (FORCES, "label: Islamic Revolutionary Guard Corps",
                                'label: "Islamic\\LRevolutionary Guard Corps"',
                                "'label' holds a line break (U+2028) at character 8"),
    "control-in-note": (ARTICLE, "    note: >-\n      The article gives the start (July 21, the year from the page's "
                                 "date) and the length\n      (three days); the end is counted from them.\n",
                        '    note: "a \\e[31m red note"\n',
                        "'note' holds a control character (U+001B) at character 3"),
    "line-break-in-language": (ARTICLE, "language: en", 'language: "en\\nfr"',
                               "'language' must be a language tag such as en or pt-BR, not 'en\\nfr'"),
    "language-not-a-tag": (ARTICLE, "language: en", "language: English",
                           "'language' must be a language tag such as en or pt-BR, not 'English'"),
    "nul-in-url": (ARTICLE, "  source: 001", '  url: "https://example.org/a\\0b"\n  source: 001',
                   "'url' must be an http(s) URL, not 'https://example.org/a\\x00b'"),
    # month or day 00
    "month-00": (ARTICLE, "published: 2025-07-25", "published: 2025-00", "'published' is not a real date: 2025-00"),
    "day-00": (ARTICLE, "published: 2025-07-25", "published: 2025-07-00", "'published' is not a real date: 2025-07-00"),
    "start-day-00": (ARTICLE, "start: {date: 2025-07-21,", "start: {date: 2025-07-00,",
                     "'date' is not a real date: 2025-07-00"),
    # a duration no date library holds
    "huge-duration": (ARTICLE, "duration: P3D", "duration: P99999999999999999999D",
                      "'duration' is too long a duration: 'P99999999999999999999D' (at most 999,999,999 days, "
                      "and 9 digits a number)"),
    "duration-over-timedelta": (ARTICLE, "duration: P3D", "duration: P1000000000D",
                                "'duration' is too long a duration: 'P1000000000D' (at most 999,999,999 days, "
                                "and 9 digits a number)"),
    # digits of other scripts are no numbers
    "arabic-indic-digits": (ARTICLE, "state_count: 5", 'state_count: "\u0665"', "'state_count' must be a whole number, not '\u0665'"),
    "hex-number": (ARTICLE, "state_count: 5", "state_count: 0x5", "'state_count' must be a whole number, not '0x5'"),
}


@pytest.mark.parametrize("name", list(BAD_VALUES))
def test_bad_values_are_refused_with_their_line(project, name):
    rel, old, new, message = BAD_VALUES[name]
    line = edit(project, rel, old, new)
    _refused(project, rel, line, message)


def test_explicit_str_tag_and_multi_line_notes_still_build(project):
    """``!!str`` only makes a value text (checked as text); a note (free prose) may span lines."""
    edit(project, ARTICLE, "codename: CASAREX 2025", "codename: !!str 2025")
    edit(project, ARTICLE, "    note: >-\n", "    note: |-\n")
    result = kg(project, "build", "-q")
    assert result.exit_code == 0, result.output
    turtle = (project / "build" / "kg.ttl").read_text(encoding="utf-8")
    assert 'mc:codename "2025"@en' in turtle


# --- the same checker everywhere ---------------------------------------------------------------


@pytest.mark.parametrize("kind, good, bad", [
    ("integer", ["0", "12", "+3", "-4"], ["\u0661\u0662", "\uff11\uff12", "0x1F", "1_000", "1e3", "", "9" * 19]),
    ("date", ["2025-07-21"], ["20250721", "2025-07-00", "2025-00-01", "2025-02-30", "\u0662\u0660\u0662\u0665-07-21",
                              "2025-07-21T10:00:00", "0999-01-01"]),
])
def test_parameters_and_fact_files_share_one_checker(kind, good, bad, tmp_path):
    """A query parameter is checked by the checker the fact reader uses: ``?_d_xsd_date``
    bound ``20250721`` as an invalid ``xsd:date`` literal, ``?_n_integer`` took ``١٢`` for 12."""
    suffix = {"integer": "_integer", "date": "_xsd_date"}[kind]
    rq = tmp_path / "q.rq"
    rq.write_text(f"SELECT ?x ?_v{suffix} WHERE {{ BIND(?_v{suffix} AS ?x) }}\n", encoding="utf-8")
    q = parse_query_file(rq, "q")
    engine = RdflibEngine.__new__(RdflibEngine)  # no graph needed: typed values are not looked up
    check = {"integer": lambda t: V.integer(t, "'v'"), "date": lambda t: V.date(t, "'v'", ("day",))}[kind]
    for value in good:
        term = bind_params(q, {"v": value}, engine)[f"_v{suffix}"]
        assert term.value == str(check(value) if kind == "integer" else check(value).text)
    for value in bad:
        with pytest.raises(V.BadValue):
            check(value)
        with pytest.raises(InputError) as caught:
            bind_params(q, {"v": value}, engine)
        assert str(caught.value).startswith("parameter 'v' "), caught.value
        assert "\n" not in str(caught.value)


def test_a_date_parameter_in_basic_format_is_refused(tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT ?x ?_d_xsd_date WHERE { BIND(?_d_xsd_date AS ?x) }\n", encoding="utf-8")
    q = parse_query_file(rq, "q")
    with pytest.raises(InputError) as caught:
        bind_params(q, {"d": "20250721"}, RdflibEngine.__new__(RdflibEngine))
    assert str(caught.value) == "parameter 'd' must be a date YYYY-MM-DD, not '20250721'"


def _limited():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def test_a_parameter_that_is_not_utf8_is_refused(seed):
    """``--param state=$'\\xff'``: Python decodes the byte to a lone surrogate, which made a
    UnicodeEncodeError traceback in the engine."""
    proc = subprocess.run([sys.executable, "-m", "kg", "-C", str(seed), "query", "exercise-partners",
                           "--param", b"state=\xff"], capture_output=True, timeout=300, preexec_fn=_limited,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == b""
    assert proc.stderr == b"Error: parameter 'state' is not UTF-8 text (byte 0xff at character 1)\n"


# --- IRIs of the ontology, the vocabularies and the shapes -------------------------------------

BAD_IRIS = [
    ("ontology/milcoop.ttl", "<https://w3id.org/milcoop/ontology/Bad\\u0000Thing>", "U+0000"),
    ("ontology/vocab.ttl", "<https://w3id.org/milcoop/vocab/bad\\u001b[2Jthing>", "U+001B"),
    ("ontology/shapes.ttl", "<https://w3id.org/milcoop/shapes/Bad\\u000aShape>", "U+000A"),
]


@pytest.mark.parametrize("rel, iri, what", BAD_IRIS, ids=[r.split("/")[1] for r, _, _ in BAD_IRIS])
def test_an_invalid_iri_in_the_ontology_is_refused_with_its_line(project, rel, iri, what):
    """A NUL inside an IRI of the ontology was published, and then no command could load the
    graph any more."""
    path = project / rel
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 2
    path.write_text(text + f"\n{iri} <http://www.w3.org/2000/01/rdf-schema#label> \"bad\"@en .\n", encoding="utf-8")
    shown = iri[1:-1].replace("\\u0000", "\\x00").replace("\\u001b", "\\x1b").replace("\\u000a", "\\n")
    _refused(project, rel, line, f"'{shown}' is not a valid IRI (it holds the control character {what})")


def test_an_iri_with_a_space_from_a_prefix_is_refused_where_the_prefix_is(project):
    rel = "ontology/vocab.ttl"
    path = project / rel
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 2
    path.write_text(text + "\n@prefix bad: <https://w3id.org/milcoop/vocab/a b/> .\n"
                           "bad:x <http://www.w3.org/2000/01/rdf-schema#label> \"bad\"@en .\n", encoding="utf-8")
    _refused(project, rel, line, "'https://w3id.org/milcoop/vocab/a b/x' is not a valid IRI (it holds ' ')")
