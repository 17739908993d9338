"""Which columns of a Domains frame are model features, and what they mean.

The model works on ANY Domains frame: a ``domain`` column plus numeric feature columns.
The feature producers declare their columns with :class:`detector.schema.Feature`; a
column without a declaration is described by its own name (family ``"unknown"``), so a
labelled table from elsewhere trains with the same pipeline.

Values go to XGBoost as float32 with missing values kept as NaN: nothing is imputed.

>>> import pandas as pd
>>> frame = pd.DataFrame({"domain": ["a.com"], "links": [3], "label": ["x"]})
>>> infer_feature_columns(frame)
['links']
>>> describe_features(["links"], [])[0]
Feature(name='links', description='links', family='unknown')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from detector.errors import ModelError
from detector.schema import DOM, Feature

__all__ = [
    "RESULT_COLUMNS",
    "UNKNOWN_FAMILY",
    "EXPORT_FAMILY",
    "infer_feature_columns",
    "describe_features",
    "feature_matrix",
    "feature_names_of",
]

#: Columns of a Domains frame that are never features (the key and the model's outputs).
RESULT_COLUMNS: frozenset[str] = frozenset(
    {DOM.DOMAIN, DOM.PROBABILITY, DOM.VERDICT, DOM.SCHEME, DOM.REASONS, DOM.MODEL_VERSION,
     DOM.DECISION}
)
#: Family given to a column that has no :class:`Feature` declaration.
UNKNOWN_FAMILY = "unknown"
#: Family of the signals computed from the export files alone (no network lookups).
EXPORT_FAMILY = "export"


def feature_names_of(features: Iterable[Feature | str]) -> list[str]:
    """Column names of a list of :class:`Feature` (or plain names)."""
    return [f.name if isinstance(f, Feature) else str(f) for f in features]


def infer_feature_columns(frame: pd.DataFrame, exclude: Iterable[str] = ()) -> list[str]:
    """The numeric or boolean columns of ``frame``, minus key/result columns and ``exclude``.

    Text columns (a scheme label, a note) are not features and are left out.
    """
    skip = set(RESULT_COLUMNS) | set(exclude)
    names = []
    for column in frame.columns:
        if column in skip:
            continue
        dtype = frame[column].dtype
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            names.append(str(column))
    return names


def describe_features(names: Sequence[str], features: Iterable[Feature] | None) -> list[Feature]:
    """One :class:`Feature` per name: the declared one, else one described by its name."""
    declared = {f.name: f for f in (features or ())}
    return [declared.get(n, Feature(n, n, UNKNOWN_FAMILY)) for n in names]


def feature_matrix(frame: pd.DataFrame, names: Sequence[str], *,
                   fill_missing: bool = False) -> np.ndarray:
    """``frame[names]`` as a float32 matrix with NaN for every missing value.

    Raises :class:`ModelError` naming the absent columns, unless ``fill_missing`` is
    true: then absent columns count as "not looked up" (all NaN), never as zero.
    Raises :class:`ModelError` naming a column that is not numeric.
    """
    absent = [n for n in names if n not in frame.columns]
    if absent and not fill_missing:
        raise ModelError(
            f"the Domains frame lacks {len(absent)} feature column(s) the model needs: "
            f"{', '.join(absent)}; pass fill_missing=True to treat them as not looked up (NaN)"
        )
    out = np.full((len(frame), len(names)), np.nan, dtype=np.float32)
    for j, name in enumerate(names):
        if name in absent:
            continue
        column = frame[name]
        try:
            values = pd.to_numeric(column.astype("float64") if pd.api.types.is_bool_dtype(
                column.dtype) else column, errors="raise")
            out[:, j] = np.asarray(values.astype("float64").to_numpy(na_value=np.nan),
                                   dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise ModelError(
                f"feature column {name!r} is not numeric (dtype {column.dtype}): {exc}"
            ) from None
    return out
