"""Shared state of the extension: the lock every patch holds and the switches the test-only
endpoints set (``POST /moto-api/reset`` restores the defaults)."""

import copy
import threading

# The InstanceStatus values of the sso-admin API reference.
STATUSES = ("ACTIVE", "CREATE_IN_PROGRESS", "CREATE_FAILED", "DELETE_IN_PROGRESS")
LOCK = threading.RLock()
DEFAULTS = {"create_status": "ACTIVE", "create_active_after_reads": None, "create_status_reason": None,
            "delete_conflicts": 0, "delete_in_progress_reads": 0, "denied_role_arns": [],
            "application_providers": {}}  # ARN -> provider, registered by /idc-guardrail/application-provider
STATE = copy.deepcopy(DEFAULTS)


def reset_state() -> None:
    STATE.clear()
    STATE.update(copy.deepcopy(DEFAULTS))
