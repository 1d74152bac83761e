"""The generator writes contract-valid returns of every kind, the same bytes for the same seed."""

from __future__ import annotations

import pytest

from etl import generate
from etl.kinds import KINDS
from tests.helpers import query, run_cli


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind not in generate.NOT_GENERATED])
def test_every_kind_loads_whole_without_warnings(kind, warehouse, monkeypatch, capsys, tmp_path):
    paths = generate.generate(kind, 300, tmp_path, seed=7, units=12, periods=3)
    assert paths[0].name == "units.csv" and paths[-1].name == f"{kind}.csv"
    run = run_cli(monkeypatch, capsys, warehouse, "ingest", tmp_path, "--as-of", "2006-12-31")
    assert run.code == 0, run.err
    outcomes = query(warehouse, "select kind, outcome, row_count from ingest.files order by 1")
    assert (kind, "accepted", 300) in outcomes
    assert {outcome for _, outcome, _ in outcomes} == {"accepted"}


@pytest.mark.parametrize("kind", generate.NOT_GENERATED)
def test_kinds_it_cannot_write_are_refused_by_name(kind, tmp_path):
    with pytest.raises(ValueError, match=f"does not write '{kind}' returns"):
        generate.generate(kind, 10, tmp_path)
    assert list(tmp_path.iterdir()) == []  # refused before writing anything


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    first = generate.generate("employment", 500, tmp_path / "a", seed=1)
    again = generate.generate("employment", 500, tmp_path / "b", seed=1)
    other = generate.generate("employment", 500, tmp_path / "c", seed=2)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert first[-1].read_bytes() != other[-1].read_bytes()


def test_cli_writes_the_files_it_names(tmp_path, capsys):
    assert generate.main(["--kind", "targets", "--rows", "40", "-o", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["targets.csv", "units.csv"]
    assert len((tmp_path / "targets.csv").read_text(encoding="utf-8-sig").splitlines()) == 41
    with pytest.raises(SystemExit):
        generate.main(["--kind", "employment", "--rows", "0", "-o", str(tmp_path)])
