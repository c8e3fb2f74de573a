"""Plain pytest for the pure ``voltaic_booking/lib``: no Odoo, no database, a few seconds.

    python3 -m pytest -p no:odoo voltaic_booking/lib/tests      (or ./run-tests --lib)

``lib`` is loaded as the top-level package ``voltaic_booking_lib`` (its relative imports keep
working), so neither the addon's ``__init__`` nor ``odoo`` is imported. This folder has no
``__init__.py``: pytest imports its test modules as top-level modules, so their names must
differ from those of the other ``lib/tests`` folders.
"""

import importlib
import importlib.util
import sys
from pathlib import Path

import pytest

PACKAGE = "voltaic_booking_lib"
LIB_DIR = Path(__file__).resolve().parent.parent


def load_lib():
    """Every module of ``lib``, imported under ``PACKAGE``: ``{name: module}``."""
    if PACKAGE not in sys.modules:
        spec = importlib.util.spec_from_file_location(PACKAGE, LIB_DIR / "__init__.py",
                                                      submodule_search_locations=[str(LIB_DIR)])
        package = importlib.util.module_from_spec(spec)
        sys.modules[PACKAGE] = package
        spec.loader.exec_module(package)
    return {path.stem: importlib.import_module(f"{PACKAGE}.{path.stem}")
            for path in sorted(LIB_DIR.glob("*.py")) if path.stem != "__init__"}


@pytest.fixture(scope="session")
def lib_modules():
    return load_lib()


def pytest_configure(config):
    # pytest-odoo imports odoo when it loads and needs a database; it only belongs to the Odoo suite
    if config.pluginmanager.has_plugin("odoo") and not (
            config.getoption("--odoo-database", None) or config.getoption("--odoo-config", None)):
        raise pytest.UsageError(
            "the pure lib tests run without pytest-odoo: python3 -m pytest -p no:odoo <lib/tests folders> "
            "(or ./run-tests --lib)")


load_lib()
