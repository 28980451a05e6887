"""The quality checks (queries/qc/*-violation.rq) each fire on a fixture of their own
(tests/qc/, see tests/qcfixtures.py) with exactly the rows of its golden file, find nothing in
the seed, and make ``kg check`` exit 1 naming them."""
from __future__ import annotations

import os

import pytest

from kg.queries import find_query
from qcfixtures import CHECKS, QC, ROOT, golden_of, source_of, stem
from servers import kg

UPDATE = os.environ.get("KG_UPDATE_GOLDEN") == "1"


def test_every_check_has_a_fixture_and_every_fixture_a_check():
    for name in CHECKS:
        assert source_of(name).exists(), f"{name} has no fixture in tests/qc/"
        assert golden_of(name).exists(), f"{name} has no golden rows in tests/qc/"
    known = {stem(name) for name in CHECKS}
    for path in QC.iterdir():
        assert path.name.split(".")[0] in known, f"tests/qc/{path.name} belongs to no check"


@pytest.mark.parametrize("name", CHECKS)
def test_check_returns_its_rows_on_its_fixture(qc_fixtures, name):
    fixture = qc_fixtures[name]
    result = kg(fixture.project, "query", name, *fixture.where, "--format", "tsv", "--raw")
    assert result.exit_code == 0, result.output
    if UPDATE or not fixture.golden.exists():
        fixture.golden.write_text(result.stdout, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"wrote missing golden file {fixture.golden.name}; check it and commit it")
    golden = fixture.golden.read_text(encoding="utf-8")
    assert len(golden.splitlines()) > 1, f"{fixture.golden.name} has no rows: the fixture must make the check fire"
    assert result.stdout == golden


@pytest.mark.parametrize("name", CHECKS)
def test_check_finds_nothing_in_the_seed(seed, name):
    result = kg(seed, "query", name, "--format", "tsv", "--raw")
    assert result.exit_code == 0, result.output
    assert result.stdout == golden_of(name).read_text(encoding="utf-8").splitlines(keepends=True)[0]


@pytest.mark.parametrize("name", CHECKS)
def test_kg_check_exits_1_and_names_the_check(qc_fixtures, seed, name):
    """Only the fixture's check has rows: its section holds the golden rows; every other
    section has only the header its query gives on the seed."""
    fixture = qc_fixtures[name]
    result = kg(fixture.project, "check", *fixture.where, "--format", "tsv", "--raw")
    expected = ""
    for check in CHECKS:
        expected += f"== {check}: {find_query(ROOT / 'queries', check, str).summary}\n"
        golden = golden_of(check).read_text(encoding="utf-8")
        expected += golden if check == name else golden.splitlines(keepends=True)[0]
    assert result.exit_code == 1, result.output
    assert result.stdout == expected
    assert result.stderr == f"{len(CHECKS)} check(s), 1 with rows that break a rule\n"


def test_kg_check_table_names_the_rows_by_their_labels(qc_fixtures):
    fixture = qc_fixtures["qc/supplier-is-recipient-violation"]
    result = kg(fixture.project, "check", *fixture.where)
    assert result.exit_code == 1
    section = result.stdout.split("== qc/supplier-is-recipient-violation: ")[1].split("== ")[0]
    assert section.splitlines()[1:] == [
        "transfer                             state",
        "-----------------------------------  ------",
        "Drones exchanged by Iran and Russia  Iran",
        "Drones exchanged by Iran and Russia  Russia",
        "Drones from Iran to Iran             Iran",
        "(3 rows)",
    ]
