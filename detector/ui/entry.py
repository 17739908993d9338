"""Streamlit entry point inside the package, for installs without the repository's ``app.py``.

``streamlit run`` needs a script file; :func:`detector.ui.launch.streamlit_command` runs
this one when the checkout's ``app.py`` is not there. Same content as ``app.py``.
"""

from detector.ui.page import main

main()
