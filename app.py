"""The linkdetector app: ``streamlit run app.py`` (or ``detector app``).

Thin on purpose: the page lives in :mod:`detector.ui.page`, the work in the library.
Settings (no telemetry, localhost only, 1 GB uploads) are in ``.streamlit/config.toml``.
"""

from detector.ui.page import main

main()
