"""Emulator: launch.py writes its port file and stops cleanly."""

import os
import signal
import tempfile
import time

import pytest

from emulator_client import launch, post


# ------------------------------------------------------------------ launcher
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_launcher_port_file_and_clean_stop(sig):
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, "port")
        proc, endpoint = launch(port_file)
        try:
            with open(port_file) as f:
                assert f.read().strip() == endpoint
            assert post(endpoint, "/moto-api/reset")[0] == 200
        finally:
            proc.send_signal(sig)
            start = time.monotonic()
            assert proc.wait(timeout=10) == 0
        assert time.monotonic() - start < 10 and not os.path.exists(port_file)
