"""pytest at the repository root: plain pytest can collect the pure ``lib/tests`` folders.

An addon is a Python package whose ``__init__`` imports Odoo, and pytest imports every package
``__init__`` above a test (to look for ``setup_module``). Without pytest-odoo, the folders inside
an addon are therefore collected as plain directories, so that

    python3 -m pytest -p no:odoo voltaic_booking/lib/tests voltaic_booking_calendly/lib/tests

never imports Odoo. Under pytest-odoo (``./run-tests``) this hook does nothing.
"""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collect_directory(path, parent):
    if parent.config.pluginmanager.has_plugin("odoo") or not (path / "__init__.py").is_file():
        return None
    if path.is_relative_to(REPO_ROOT) and path != REPO_ROOT \
            and (REPO_ROOT / path.relative_to(REPO_ROOT).parts[0] / "__manifest__.py").is_file():
        return pytest.Dir.from_parent(parent, path=path)
    return None
