#!/usr/bin/env python3
"""``odoo-bin`` for the benchmarks: the same command line, one workaround.

With ``--workers`` Odoo also spawns its gevent (websocket) process as
``python <this script> gevent ...``. On some installs gevent's plugin
lookup fails at start-up (an old ``setuptools``' ``pkg_resources`` does not
find the ``zope_interface`` wheel that gevent requires), the process exits
at once and the master respawns it every second, eating a CPU core for the
whole run and skewing every figure. When (and only when) that lookup is
broken, gevent's optional plugins are skipped; Odoo itself is untouched.
"""

import sys


def _skip_broken_gevent_plugins():
    try:
        import pkg_resources

        pkg_resources.require("gevent")
    except ImportError:
        return
    except Exception:  # DistributionNotFound, VersionConflict...: the lookup is broken
        import gevent.events

        gevent.events.iter_entry_points = lambda _group: iter(())


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "gevent":
        _skip_broken_gevent_plugins()
    import odoo.cli

    odoo.cli.main()
