"""score_domains: verdict bands, reasons, offline rows, evidence, versions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from detector.errors import ModelError
from detector.model import EXPORT_ONLY_NOTE, LinkSchemeClassifier, score_domains
from detector.model.bands import Bands, evidence_coverage, verdicts
from detector.model.scoring import UNVERSIONED
from detector.schema import DOM, FINE, SUSPICIOUS, TOXIC, UNKNOWN, VERDICTS
from test_model_data import FEATURES, make_table, split

FAST = dict(n_estimators=60, scheme_estimators=40, max_depth=4, n_jobs=1)
DESCRIPTIONS = {f.name: f.description for f in FEATURES}


@pytest.fixture(scope="module")
def trained():
    train, test = split(make_table(2400, seed=11))
    model = LinkSchemeClassifier(**FAST, features=FEATURES).fit(
        train, train["label"], scheme=train["scheme"])
    return model, test


def test_outputs_are_added_with_schema_columns(trained):
    model, test = trained
    scored = score_domains(test, model)
    for column in (DOM.PROBABILITY, DOM.VERDICT, DOM.SCHEME, DOM.REASONS, DOM.MODEL_VERSION):
        assert column in scored.columns
    assert set(scored[DOM.VERDICT]) <= set(VERDICTS)
    assert (scored[DOM.MODEL_VERSION] == UNVERSIONED).all()
    assert scored["domain"].tolist() == test["domain"].tolist()
    assert DOM.PROBABILITY not in test.columns  # the input is not modified
    known = scored[DOM.VERDICT] != UNKNOWN
    assert scored.loc[known, DOM.PROBABILITY].between(0, 1).all()
    toxic = scored[DOM.VERDICT] == TOXIC
    assert toxic.any() and (scored.loc[toxic, "label"].mean() > 0.8)


def test_reasons_name_the_informative_feature(trained):
    model, test = trained
    scored = score_domains(test, model)
    toxic = scored[scored[DOM.VERDICT] == TOXIC]
    mentions = toxic[DOM.REASONS].str.contains(DESCRIPTIONS["exact_anchor_share"], regex=False)
    assert mentions.mean() > 0.5
    hacked = toxic[toxic["scheme"] == "hacked"]
    assert hacked[DOM.REASONS].str.contains("gambling terms").mean() > 0.5


def test_reasons_never_come_from_a_missing_value(trained):
    model, test = trained
    matrix = model.matrix(test)
    for i, reasons in enumerate(model.explain(test, top=5)):
        for reason in reasons:
            column = model.feature_names_.index(reason.feature)
            assert not np.isnan(matrix[i, column])
            assert reason.contribution > 0
            assert "nan" not in reason.text.lower()


def test_reason_text_is_description_and_value(trained):
    model, test = trained
    reasons = [r for row in model.explain(test.head(50)) for r in row]
    assert reasons
    r = reasons[0]
    assert r.text.startswith(DESCRIPTIONS.get(r.feature, r.feature) + ": ")


def test_export_only_rows_are_scored_and_say_so(trained):
    model, _ = trained
    offline = make_table(400, seed=12, offline_share=1.0)
    scored = score_domains(offline, model, explain="all")
    assert scored[DOM.REASONS].str.endswith(EXPORT_ONLY_NOTE).all()
    judged = scored[DOM.VERDICT] != UNKNOWN
    assert judged.mean() > 0.9  # export evidence alone suffices here
    flagged = scored[DOM.VERDICT].isin([TOXIC, SUSPICIOUS])
    assert flagged.any()
    assert scored.loc[flagged, DOM.REASONS].str.contains("anchors").all()
    # and the model still ranks: export signals separate the classes
    assert scored.loc[judged & (scored["label"] == 1), DOM.PROBABILITY].mean() > \
        scored.loc[judged & (scored["label"] == 0), DOM.PROBABILITY].mean() + 0.3


def test_row_with_nothing_known_is_unknown_with_nan_probability(trained):
    model, test = trained
    empty = test.head(3).copy()
    empty[model.feature_names_] = np.nan
    scored = score_domains(empty, model)
    assert (scored[DOM.VERDICT] == UNKNOWN).all()
    assert scored[DOM.PROBABILITY].isna().all()
    assert scored[DOM.SCHEME].isna().all()
    assert scored[DOM.REASONS].str.contains("no data").all()


def test_fine_rows_get_no_reasons_unless_asked(trained):
    model, test = trained
    flagged_only = score_domains(test, model)
    fine = flagged_only[DOM.VERDICT] == FINE
    # fine rows get no reasons; at most the note that only export data was known
    assert fine.any() and flagged_only.loc[fine, DOM.REASONS].isin(["", EXPORT_ONLY_NOTE]).all()
    everything = score_domains(test, model, explain="all", exact=False)
    assert (everything.loc[fine, DOM.REASONS] != "").any()
    same = everything[DOM.PROBABILITY].fillna(-1) == flagged_only[DOM.PROBABILITY].fillna(-1)
    assert same.all()


def test_evidence_replaces_generic_sentences(trained):
    model, test = trained
    scored = score_domains(test, model, explain="all")
    rows = model.explain(test, top=3)
    network_row = next(i for i, r in enumerate(rows) if any(x.family == "network" for x in r))
    anchor_row = next(i for i, r in enumerate(rows)
                      if any(x.feature == "exact_anchor_share" for x in r))
    net_domain, anchor_domain = test["domain"][network_row], test["domain"][anchor_row]
    evidence = {
        net_domain: ["shares IP block 203.0.113.0/24 with 14 other referring domains"],
        anchor_domain: {"exact_anchor_share": "9 of 10 anchors are 'best electric bikes'"},
    }
    with_evidence = score_domains(test, model, explain="all", evidence=evidence)
    text = with_evidence.set_index("domain")[DOM.REASONS]
    assert "shares IP block 203.0.113.0/24 with 14 other referring domains" in text[net_domain]
    assert "9 of 10 anchors are 'best electric bikes'" in text[anchor_domain]
    assert "203.0.113.0/24" not in "".join(scored[DOM.REASONS])


def test_absent_feature_column_fails_unless_filled(trained):
    model, test = trained
    thin = test.drop(columns=["whois_age_days", "cluster_size"])
    with pytest.raises(ModelError, match="whois_age_days, cluster_size"):
        score_domains(thin, model)
    scored = score_domains(thin, model, fill_missing=True)
    assert len(scored) == len(test)


def test_exact_and_approximate_reasons_mostly_agree(trained):
    model, test = trained
    exact = model.explain(test, top=1, exact=True)
    approx = model.explain(test, top=1, exact=False)
    pairs = [(a[0].feature, b[0].feature) for a, b in zip(exact, approx) if a and b]
    assert np.mean([a == b for a, b in pairs]) > 0.7


def test_band_thresholds_and_coverage():
    matrix = np.array([[1.0, np.nan], [np.nan, np.nan], [1.0, 1.0]])
    coverage = evidence_coverage(matrix, np.array([3.0, 1.0]))
    assert coverage.tolist() == [0.75, 0.0, 1.0]
    bands = Bands(toxic=0.9, suspicious=0.5, min_coverage=0.8)
    assert verdicts(np.array([0.95, 0.95, 0.6]), coverage, bands).tolist() == [
        UNKNOWN, UNKNOWN, SUSPICIOUS]
    with pytest.raises(ValueError):
        Bands(toxic=0.3, suspicious=0.5)


def test_scheme_column_uses_known_types(trained):
    model, test = trained
    scored = score_domains(test, model)
    assert set(scored[DOM.SCHEME].dropna()) <= {"natural", "pbn", "link_farm", "hacked"}
    assert pd.api.types.is_string_dtype(scored[DOM.VERDICT])
