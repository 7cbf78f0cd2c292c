"""The awsJson error moto answers for the extension, and the AccessDenied it answers most."""

import json

from moto.core.exceptions import JsonRESTError


class AwsError(JsonRESTError):
    """awsJson error: HTTP 400, {"__type": CODE, "Message": TEXT} (what the AWS SDKs parse)."""

    code = 400

    def __init__(self, error_type: str, message: str):
        super().__init__(error_type, message)
        self.description = json.dumps({"__type": error_type, "Message": message})


def denied() -> AwsError:
    return AwsError("AccessDeniedException", "You do not have sufficient access to perform this action.")
