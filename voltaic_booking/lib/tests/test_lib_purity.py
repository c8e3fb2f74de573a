"""``voltaic_booking/lib`` is pure: importing every module of it imports neither Odoo nor the addon."""

import subprocess
import sys
from pathlib import Path

CHECK = """
import sys
import conftest
modules = conftest.load_lib()
assert modules, "no module found in lib/"
leaked = sorted(name for name in sys.modules if name.split(".")[0] in ("odoo", "voltaic_booking"))
assert not leaked, f"importing lib/ imported {leaked[:5]}"
"""


def test_lib_modules_import_without_odoo():
    """In a fresh interpreter, so that the plugins of this run do not count."""
    result = subprocess.run([sys.executable, "-c", CHECK], cwd=Path(__file__).parent,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_this_run_did_not_import_odoo(pytestconfig, lib_modules):
    assert {"slots", "ics", "google_mapping", "calendar_links", "notification_times"} <= set(lib_modules)
    assert all(module.__name__.startswith("voltaic_booking_lib.") for module in lib_modules.values())
    if not pytestconfig.pluginmanager.has_plugin("odoo"):  # pytest-odoo itself imports odoo
        assert "odoo" not in sys.modules
