"""Both stacks: function settings, sizes, dead letters, checkov skips and how SAM builds them."""

from __future__ import annotations

from typing import Any

import pytest

from cfn_templates import (
    ASYNC_FUNCTIONS,
    FUNCTIONS,
    OUTLETS,
    REMEDIATION_FUNCTIONS,
    functions,
    ref_id,
    render,
    resources,
)
from stack_expectations import (
    APPLICATION_LOG_LEVELS,
    ENV_PARAMETERS,
    SYSTEM_LOG_LEVEL,
    ENV_VARS,
    OUTLETS_ENV_VARS,
    STACKS,
    dead_letter_target,
    function_props,
)


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_settings(stack, name, request):
    template = request.getfixturevalue(stack)
    props = function_props(template, name)
    assert props["Runtime"] == "provided.al2023"
    assert props["Handler"] == "bootstrap"
    assert render(props["Architectures"], template) == ["${Architecture}"]
    env = props["Environment"]["Variables"]
    assert set(env) == ENV_VARS[name]
    for var, param in ENV_PARAMETERS.items():
        if var in env:
            assert env[var] == {"Ref": param}, (name, var)
    if name in ASYNC_FUNCTIONS:
        assert dead_letter_target(props), f"{name} needs a dead-letter queue"
    else:
        assert not dead_letter_target(props), f"{name} is invoked synchronously: no function DLQ"
    assert props["LoggingConfig"]["LogGroup"]


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions_log_json_at_the_level_of_the_log_level_parameter(stack, name, request):
    """With the JSON log format Lambda applies ApplicationLogLevel to the functions' JSON lines and
    passes it as AWS_LAMBDA_LOG_LEVEL, which the functions read when RUST_LOG is unset (it is)."""
    template = request.getfixturevalue(stack)
    props = function_props(template, name)
    config = props["LoggingConfig"]
    assert config["LogFormat"] == "JSON"
    assert config["ApplicationLogLevel"] == {"Ref": "LogLevel"}
    assert config["SystemLogLevel"] == SYSTEM_LOG_LEVEL
    assert "RUST_LOG" not in props["Environment"]["Variables"]
    param = template["Parameters"]["LogLevel"]
    assert param["AllowedValues"] == APPLICATION_LOG_LEVELS
    assert param["Default"] == "INFO"


@pytest.mark.parametrize("stack", STACKS)
def test_function_sizes(stack, request):
    template = request.getfixturevalue(stack)
    sizes = {
        name: (function_props(template, name)["MemorySize"], function_props(template, name)["Timeout"])
        for name in FUNCTIONS
    }
    assert sizes == {
        "on-create-instance": (256, 60),
        "on-org-event": (256, 300),
        "sweep": (512, 900),
        "sweep-worker": (256, 300),
        OUTLETS: (256, 60),
    }


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("name", REMEDIATION_FUNCTIONS)
def test_the_functions_that_delete_know_nothing_of_security_hub_or_chat(stack, name, request):
    """Security Hub and chat are off the delete path: the functions that judge and delete publish
    to the findings topic only, and the outlets function takes the findings from there."""
    template = request.getfixturevalue(stack)
    env = function_props(template, name)["Environment"]["Variables"]
    assert not OUTLETS_ENV_VARS & set(env), name
    assert env["TOPIC_ARN"] == function_props(template, OUTLETS)["Environment"]["Variables"]["TOPIC_ARN"]


def test_sam_and_cdk_function_settings_match(sam, cdk):
    keys = ("Runtime", "Handler", "MemorySize", "Timeout", "Architectures", "Environment", "Description",
            "LoggingConfig")
    for name in FUNCTIONS:
        s, c = function_props(sam, name), function_props(cdk, name)
        for key in keys:
            assert render(s[key], sam) == render(c[key], cdk), (name, key)
    # Asynchronous invocation retries: SAM's EventInvokeConfig, CDK's resource.
    cdk_invoke = {
        ref_id(r["Properties"]["FunctionName"]): r["Properties"]
        for r in resources(cdk, "AWS::Lambda::EventInvokeConfig").values()
    }
    cdk_ids = functions(cdk)
    assert set(cdk_invoke) == {cdk_ids[n] for n in ASYNC_FUNCTIONS}
    for name in FUNCTIONS:
        sam_cfg = function_props(sam, name).get("EventInvokeConfig")
        assert (sam_cfg is not None) == (name in ASYNC_FUNCTIONS), name
        if sam_cfg:
            cfg = cdk_invoke[cdk_ids[name]]
            assert cfg["MaximumRetryAttempts"] == sam_cfg["MaximumRetryAttempts"] == 2
            assert cfg["MaximumEventAgeInSeconds"] == sam_cfg["MaximumEventAgeInSeconds"]


def test_sam_and_cdk_checkov_skips_match(sam, cdk):
    def skips(template: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
        return {
            name: sorted(
                (s["id"], s["comment"])
                for s in template["Resources"][lid].get("Metadata", {}).get("checkov", {}).get("skip", [])
            )
            for name, lid in functions(template).items()
        }

    assert skips(sam) == skips(cdk)


def test_sam_builds_each_binary_from_the_workspace(sam):
    """sam build: rust-cargolambda, one binary per function, CodeUri = the workspace root."""
    from cfn_templates import REPO, source_file

    for name, lid in functions(sam).items():
        res = sam["Resources"][lid]
        assert res["Type"] == "AWS::Serverless::Function"
        assert res["Metadata"]["BuildMethod"] == "rust-cargolambda"
        assert res["Metadata"]["BuildProperties"] == {"Binary": name}
        # CodeUri is relative to the file the function is written in (a nested template).
        code_dir = (source_file(sam, lid).parent / res["Properties"]["CodeUri"]).resolve()
        assert code_dir == REPO.resolve()
        assert (code_dir / "Cargo.toml").is_file()


def test_sam_creates_the_functions_after_their_policies():
    """A function must not run before its policy exists: the nested stack of the functions
    depends on the one of the policies (CDK: each function on its policy)."""
    from cfn_templates import SAM_TEMPLATE, load_cfn, nested_location

    top = load_cfn(SAM_TEMPLATE)
    holding = {
        lid: {r["Type"] for r in load_cfn(SAM_TEMPLATE.parent / nested_location(res))["Resources"].values()}
        for lid, res in top["Resources"].items()
        if nested_location(res)
    }
    (functions_app,) = [lid for lid, types in holding.items() if "AWS::Serverless::Function" in types]
    (policies_app,) = [lid for lid, types in holding.items() if "AWS::IAM::Policy" in types]
    depends = top["Resources"][functions_app].get("DependsOn", [])
    assert policies_app in (depends if isinstance(depends, list) else [depends])
