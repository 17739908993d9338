"""CSV outputs cannot execute formulas in a spreadsheet; Parquet round-trips."""

import csv

import numpy as np
import pandas as pd
import pytest

from detector.output import escape_formulas, write_table


@pytest.mark.parametrize("cell", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=x", "\r=x"])
def test_formula_cells_are_neutralised(tmp_path, cell):
    frame = pd.DataFrame({"domain": ["a.com"], "anchor": [cell], "links": [3]})
    path = write_table(frame, tmp_path / "out.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        row = list(csv.DictReader(handle))[0]
    assert row["anchor"] == "'" + cell
    assert row["links"] == "3"


def test_plain_text_and_numbers_are_untouched():
    frame = pd.DataFrame({"t": ["hello", None, "a=b"], "n": [-1.5, np.nan, 2.0]})
    out = escape_formulas(frame)
    assert out["t"].tolist()[0] == "hello" and out["t"].tolist()[2] == "a=b"
    assert pd.isna(out["t"].tolist()[1])
    assert out["n"].tolist()[0] == -1.5


def test_parquet_round_trip(tmp_path):
    frame = pd.DataFrame({"domain": ["=a.com", "b.com"], "p": [0.1, np.nan]})
    back = pd.read_parquet(write_table(frame, tmp_path / "x.parquet"))
    assert back["domain"].tolist() == ["=a.com", "b.com"]  # Parquet is not a spreadsheet


def test_unknown_suffix_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="must end in .csv or .parquet"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "x.xlsx")
