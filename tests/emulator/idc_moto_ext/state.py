"""Shared state of the extension: the lock every patch holds and the switches the test-only
endpoints set (``POST /moto-api/reset`` restores the defaults)."""

import threading

STATUSES = ("ACTIVE", "CREATE_IN_PROGRESS", "DELETE_IN_PROGRESS")
LOCK = threading.RLock()
STATE = {"create_status": "ACTIVE", "create_active_after_reads": None, "delete_conflicts": 0,
         "denied_role_arns": []}
