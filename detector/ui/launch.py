"""Start the app: the ``streamlit run`` command with the project's privacy and size settings.

``.streamlit/config.toml`` is only read when Streamlit starts in the repository root, so
the settings that matter are also passed as flags: no usage statistics, bound to
localhost unless asked otherwise, 1 GB uploads, headless (no browser opened for you).

>>> cmd = streamlit_command(port=8600)
>>> cmd[cmd.index("--browser.gatherUsageStats") + 1], cmd[cmd.index("--server.address") + 1]
('false', '127.0.0.1')
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

__all__ = ["SETTINGS", "app_script", "streamlit_command", "launch"]

#: Streamlit settings passed on the command line (mirrors ``.streamlit/config.toml``).
SETTINGS: dict[str, str] = {
    "browser.gatherUsageStats": "false",
    "server.headless": "true",
    "server.maxUploadSize": "1024",
    "server.fileWatcherType": "none",
}


def app_script() -> Path:
    """The script to run: the checkout's ``app.py`` when present, else the packaged entry."""
    repo_app = Path(__file__).resolve().parents[2] / "app.py"
    return repo_app if repo_app.is_file() else Path(__file__).with_name("entry.py")


def streamlit_command(address: str = "127.0.0.1", port: int = 8501) -> list[str]:
    """The ``python -m streamlit run ...`` command line for the app."""
    command = [sys.executable, "-m", "streamlit", "run", str(app_script()),
               "--server.address", address, "--server.port", str(port)]
    for name, value in SETTINGS.items():
        command += [f"--{name}", value]
    return command


def launch(address: str = "127.0.0.1", port: int = 8501) -> int:
    """Run the app until it is stopped (Ctrl+C); returns Streamlit's exit status."""
    script = app_script()
    return subprocess.call(streamlit_command(address, port), cwd=script.parent)
