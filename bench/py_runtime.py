"""A Lambda runtime loop for Python, as the managed Python runtime runs a handler: import the
handler's module (its init), then, for ever, take the next event from the Lambda Runtime API
(AWS_LAMBDA_RUNTIME_API), call the handler, and post its answer (or its error).

Usage: python bench/py_runtime.py MODULE.FUNCTION   (the module is looked up beside this file)
Only the standard library: the loop adds nothing to the handler's own imports.
"""

import http.client
import importlib
import json
import os
import sys
import traceback

API_PATH = "/2018-06-01/runtime"


class Context:
    """The part of the Lambda context the handler may read."""

    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")


def post(api, path, payload, error_type=None):
    headers = {"Content-Type": "application/json"}
    if error_type:
        headers["Lambda-Runtime-Function-Error-Type"] = error_type
    api.request("POST", f"{API_PATH}{path}", body=json.dumps(payload).encode(), headers=headers)
    api.getresponse().read()


def main() -> int:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    module_name, function_name = sys.argv[1].rsplit(".", 1)
    api = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
    except Exception as e:  # an init error is reported, as the managed runtime does
        post(api, "/init/error", {"errorMessage": str(e), "errorType": type(e).__name__}, "Runtime.InitError")
        raise
    while True:
        api.request("GET", f"{API_PATH}/invocation/next")
        response = api.getresponse()
        event = json.loads(response.read())
        context = Context(response.headers)
        try:
            answer = handler(event, context)
        except Exception as e:
            post(api, f"/invocation/{context.aws_request_id}/error",
                 {"errorMessage": str(e), "errorType": type(e).__name__,
                  "stackTrace": traceback.format_exc().splitlines()}, "Runtime.HandlerError")
            continue
        post(api, f"/invocation/{context.aws_request_id}/response", answer)


if __name__ == "__main__":
    sys.exit(main())
