"""Presentation helpers of the Streamlit app (``app.py``): no scoring logic here.

The library judges; these modules only shape its results for people:

* :mod:`.uploads` — uploaded files as ``(name, bytes)``, content keys, the ingest table;
* :mod:`.tables` — the review table, its filters, per-domain details;
* :mod:`.charts` — Altair charts of the profile (verdicts, risk, anchors, link velocity);
* :mod:`.networks` — networks of referring domains, when the library found any, as a graph;
* :mod:`.downloads` — disavow file with the person's decisions, its diff, the CSV report;
* :mod:`.page` — the Streamlit page itself, section by section.

Only :mod:`.page` imports Streamlit; the rest is plain pandas and tested without it.
"""
