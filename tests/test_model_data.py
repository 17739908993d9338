"""Synthetic Domains feature tables for the model tests, and checks of the generator.

The table mimics what the feature producers will emit: a ``domain`` column, numeric
features from several families (some NaN-heavy, one all-NaN, one undeclared), a string
scheme-type column and a difficulty column (neither is a feature).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from detector.schema import Feature

SCHEMES = ("pbn", "link_farm", "hacked")

FEATURES = [
    Feature("exact_anchor_share", "Share of anchors that are exact-match money keywords", "export"),
    Feature("gambling_anchor_share", "Share of anchors that are gambling terms", "export"),
    Feature("links", "Number of links from the domain", "export"),
    Feature("nofollow_share", "Share of links marked nofollow", "export"),
    Feature("shared_ip_domains", "Other referring domains on the same IP block", "hosting"),
    Feature("whois_age_days", "Days since the domain was registered", "registration"),
    Feature("outbound_links", "Outbound links per page", "content"),
    Feature("cluster_size", "Referring domains sharing footprints with this one", "network"),
    Feature("never_looked_up", "A lookup that always failed", "hosting"),
]
# "noise_b" is deliberately left undeclared: it must be described by its name.


def make_table(n: int = 2000, seed: int = 0, offline_share: float = 0.0) -> pd.DataFrame:
    """A labelled synthetic table: columns ``domain``, features, ``label``, ``scheme``,
    ``difficulty``. ``offline_share`` of rows have only export features."""
    rng = np.random.default_rng(seed)
    label = (rng.random(n) < 0.35).astype(int)
    scheme = np.where(label == 1, rng.choice(SCHEMES, size=n), "natural").astype(object)
    hard = rng.random(n) < 0.3
    noise = np.where(hard, 0.35, 0.15)

    def signal(active, strong, weak):
        return np.clip(np.where(active, strong, weak) + rng.normal(0, 1, n) * noise, 0, None)

    frame = pd.DataFrame({
        "domain": [f"site{i}.example" for i in range(n)],
        "exact_anchor_share": np.clip(signal(label == 1, 0.6, 0.15), 0, 1),
        "gambling_anchor_share": np.clip(signal(scheme == "hacked", 0.7, 0.02), 0, 1),
        "links": rng.poisson(5, n).astype(float),
        "nofollow_share": rng.random(n),
        "shared_ip_domains": np.round(signal(scheme == "pbn", 12, 1) * 3),
        "whois_age_days": np.where(scheme == "pbn", 200, 3000) * rng.lognormal(0, 0.5, n),
        "outbound_links": signal(scheme == "link_farm", 400, 40) * 1.0,
        "cluster_size": np.round(signal(scheme == "pbn", 9, 0.5)),
        "never_looked_up": np.nan,
        "noise_b": rng.normal(size=n),
        "label": label,
        "scheme": scheme,
        "difficulty": np.where(hard, "hard", "easy"),
    })
    # lookups fail often, for positives and negatives alike (missingness is not a signal)
    for column, share in (("shared_ip_domains", 0.4), ("whois_age_days", 0.5),
                          ("outbound_links", 0.3), ("cluster_size", 0.2)):
        frame.loc[rng.random(n) < share, column] = np.nan
    offline = rng.random(n) < offline_share
    lookups = [f.name for f in FEATURES if f.family != "export"] + ["noise_b"]
    frame.loc[offline, lookups] = np.nan
    return frame


FEATURE_COLUMNS = [f.name for f in FEATURES] + ["noise_b"]


def split(frame: pd.DataFrame, test_share: float = 0.25, seed: int = 1):
    """Train and test parts of a table."""
    rng = np.random.default_rng(seed)
    test = rng.random(len(frame)) < test_share
    return frame[~test].reset_index(drop=True), frame[test].reset_index(drop=True)


def test_generator_has_nan_heavy_and_all_nan_columns():
    frame = make_table(500)
    assert frame["never_looked_up"].isna().all()
    assert 0.3 < frame["whois_age_days"].isna().mean() < 0.7
    assert set(frame["scheme"]) == set(SCHEMES) | {"natural"}


def test_generator_offline_rows_have_only_export_values():
    frame = make_table(500, offline_share=0.5)
    lookups = [f.name for f in FEATURES if f.family != "export"]
    offline = frame[lookups].isna().all(axis=1)
    assert offline.mean() > 0.4
    assert frame.loc[offline, "exact_anchor_share"].notna().all()
