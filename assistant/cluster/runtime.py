"""Connecting to Ray: an existing cluster by address, or a local one started for this process.

A local Ray is started with a fixed number of CPUs, no dashboard, and every server bound to
127.0.0.1 (Ray otherwise listens on all interfaces): `RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0` is Ray's
own switch for a single-node, loopback-only instance. It is shut down when this process is done
with it; a cluster given by address is left as it was. Ray's token authentication stays on.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from index.errors import SanadError

LOOPBACK = "127.0.0.1"


class RayUnavailableError(SanadError):
    """Ray is not installed, or the cluster cannot be reached."""


def require_ray() -> Any:
    """The `ray` module, or one line saying how to install it."""
    try:
        import ray
    except ImportError:
        msg = "--engine ray needs Ray: pip install 'sanad[ray]' (or pip install 'ray[data]')"
        raise RayUnavailableError(msg) from None
    return ray


def local_runtime_env() -> dict:
    """Workers of a local Ray import this very Sanad (a source checkout, not only an installed copy)."""
    root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    return {"env_vars": {"PYTHONPATH": path}}


def _quiet_data() -> None:
    """Ray Data logs a line per stage and second, and draws its own bars: Sanad reports progress itself."""
    from ray.data import DataContext

    logging.getLogger("ray.data").setLevel(logging.ERROR)
    ctx = DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.print_on_execution_start = False


class Connection:
    """This process' use of Ray; `close` shuts down only a Ray it started itself."""

    def __init__(self, address: str = "", cpus: int = 0):
        if "ray" not in sys.modules:
            os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # read when ray is imported
        ray = require_ray()
        self.started = False
        if ray.is_initialized():
            _quiet_data()
            return
        quiet = {"include_dashboard": False, "logging_level": logging.ERROR, "log_to_driver": False}
        try:
            if address:
                ray.init(address=address, **quiet)
            else:
                ray.init(num_cpus=cpus or os.cpu_count() or 1, _node_ip_address=LOOPBACK, runtime_env=local_runtime_env(), **quiet)
                self.started = True
        except (ConnectionError, RuntimeError, ValueError) as e:
            where = f"the Ray cluster at {address}" if address else "a local Ray"
            raise RayUnavailableError(f"could not start or reach {where} ({e})") from e
        _quiet_data()

    @property
    def cpus(self) -> int:
        import ray

        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def close(self) -> None:
        if self.started:
            import ray

            ray.shutdown()
            self.started = False
