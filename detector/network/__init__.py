"""The network stage: group referring domains into networks from the footprints they share.

A single PBN domain can look harmless; the network gives it away. Footprints (``domain,
kind, key`` rows from the hosting, registration, content and export producers) tie
pairs of referring domains; a tie is strong when several INDEPENDENT footprint families
agree, and networks are connected groups of strong ties. The result feeds the model
(:func:`network_features`) and people (:func:`domain_evidence`, :func:`network_graph`).
Rules and thresholds: :class:`FootprintRules` and ``docs/network.md``.

>>> import pandas as pd
>>> fp = pd.DataFrame({"domain": ["a.test", "b.test", "c.test"] * 2,
...                    "kind": ["ns"] * 3 + ["analytics_id"] * 3,
...                    "key": ["ns1.pbnhost.test"] * 3 + ["UA-123"] * 3})
>>> result = find_networks(fp)
>>> result.networks[["network_id", "size", "footprint_kinds"]].to_dict("records")
[{'network_id': 1, 'size': 3, 'footprint_kinds': 'analytics_id;ns'}]
>>> domain_evidence(result)["a.test"][1]
'shares analytics ID UA-123 and name servers ns1.pbnhost.test with 2 other referring domains'
"""

from detector.network.evaluate import score_grouping
from detector.network.explain import describe_key, domain_evidence, network_graph
from detector.network.export_footprints import (burst_footprints, export_footprints, first_seen_by_domain,
                                                path_scheme, title_pattern)
from detector.network.features import NETWORK_FEATURES, network_features
from detector.network.find import FOOTPRINT_COLUMNS, find_networks
from detector.network.interlinks import interlinks_from_backlinks, interlinks_from_pages
from detector.network.result import NetworkEvidence, NetworkResult
from detector.network.rules import DEFAULT_FAMILIES, DEFAULT_WEIGHTS, FootprintRules

__all__ = [
    "find_networks", "FootprintRules", "NetworkResult", "NetworkEvidence", "network_features",
    "NETWORK_FEATURES", "domain_evidence", "network_graph", "describe_key", "score_grouping",
    "export_footprints", "title_pattern", "path_scheme", "burst_footprints", "first_seen_by_domain",
    "interlinks_from_backlinks", "interlinks_from_pages", "FOOTPRINT_COLUMNS", "DEFAULT_FAMILIES", "DEFAULT_WEIGHTS",
]
