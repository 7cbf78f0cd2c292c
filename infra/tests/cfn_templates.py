"""Loading and walking the templates checked by infra/tests.

Templates are read with cfn-lint's own YAML decoder (it understands the short
intrinsic-function tags such as !Ref and !Sub). The synthesized CDK template is
read from infra/cdk/cdk.out (infra/test.sh synthesizes it first). The SAM
template is read with its nested applications inlined (nested_templates.py):
the checks see the whole deployment. Each path can be overridden
(IDC_SAM_TEMPLATE, IDC_MEMBER_TEMPLATE, IDC_CDK_TEMPLATE), e.g. to check that a
deliberately broken copy fails.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from cfnlint.decode import cfn_yaml

from nested_templates import NESTED, SOURCES, flatten, nested_location

INFRA = Path(__file__).resolve().parents[1]
REPO = INFRA.parent
SAM_TEMPLATE = Path(os.environ.get("IDC_SAM_TEMPLATE", INFRA / "template.yaml"))
MEMBER_TEMPLATE = Path(os.environ.get("IDC_MEMBER_TEMPLATE", INFRA / "member-stackset.yaml"))
CDK_TEMPLATE = Path(
    os.environ.get("IDC_CDK_TEMPLATE", INFRA / "cdk" / "cdk.out" / "IdcGuardrail.template.json")
)
EVENTS = REPO / "events"
SCP_DIR = INFRA / "scp"

FUNCTION_TAG = "idc-guardrail:function"
FUNCTIONS = ("on-create-instance", "on-org-event", "sweep", "sweep-worker", "outlets")
# The functions that judge and remediate: they assume the member role, publish findings and are
# named by FunctionRoleArns. The outlets function (Security Hub, chat) takes the findings from its
# own queue, off the delete path, and exists only when one of them is asked for (HasOutlets).
REMEDIATION_FUNCTIONS = ("on-create-instance", "on-org-event", "sweep", "sweep-worker")
OUTLETS = "outlets"
# Routed to by event patterns; the sweep runs on a schedule, its worker on SQS.
EVENT_FUNCTIONS = ("on-create-instance", "on-org-event")
# Invoked asynchronously (EventBridge): a function dead-letter queue and
# bounded retries. The worker and the outlets are invoked synchronously by their
# event source mappings; their dead letters are their queues' redrive targets.
ASYNC_FUNCTIONS = ("on-create-instance", "on-org-event", "sweep")


def load_cfn(path: Path) -> dict[str, Any]:
    """A CloudFormation template (YAML or JSON) as plain dicts and lists."""
    if path.suffix == ".json":
        return json.loads(path.read_text())
    return json.loads(json.dumps(cfn_yaml.load(str(path))))


def load_deployment(path: Path) -> dict[str, Any]:
    """A template with its local nested applications inlined: everything one deploy creates."""
    return flatten(path, load_cfn)


def sam_template_files() -> list[Path]:
    """infra/template.yaml and every template it nests, each checked by cfn-lint and checkov."""
    out = [SAM_TEMPLATE]
    for path in out:
        for res in load_cfn(path).get("Resources", {}).values():
            location = nested_location(res)
            if location:
                out.append((path.parent / location).resolve())
    return out


def source_file(template: dict[str, Any], lid: str) -> Path:
    """The file a resource of a loaded deployment is written in."""
    return template.get(SOURCES, {}).get(lid, SAM_TEMPLATE)


def nested_applications(template: dict[str, Any]) -> dict[str, Path]:
    return template.get(NESTED, {})


# ----------------------------------------------------------------- template walking


def resources(template: dict[str, Any], rtype: str | None = None) -> dict[str, dict[str, Any]]:
    res = template.get("Resources", {})
    return {k: v for k, v in res.items() if rtype is None or v.get("Type") == rtype}


def ref_id(value: Any) -> str | None:
    """The logical id behind a Ref or GetAtt, if any."""
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        if "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            return att[0] if isinstance(att, list) else att.split(".")[0]
    return None


def tag_value(props: dict[str, Any], key: str) -> str | None:
    tags = props.get("Tags")
    if isinstance(tags, dict):  # SAM
        return tags.get(key)
    for tag in tags or []:  # CloudFormation
        if tag.get("Key") == key:
            return tag.get("Value")
    return None


def functions(template: dict[str, Any]) -> dict[str, str]:
    """Function name (binary) -> logical id, by the idc-guardrail:function tag."""
    out: dict[str, str] = {}
    for lid, res in resources(template).items():
        if res["Type"] in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            name = tag_value(res.get("Properties", {}), FUNCTION_TAG)
            assert name, f"function {lid} has no {FUNCTION_TAG} tag"
            assert name not in out, f"two functions tagged {name}"
            out[name] = lid
    return out


def rules_by_function(template: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Function name -> the event patterns of the rules that target it."""
    by_id = {lid: name for name, lid in functions(template).items()}
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in by_id.values()}
    for lid, rule in resources(template, "AWS::Events::Rule").items():
        props = rule["Properties"]
        if "EventPattern" not in props:
            continue
        for target in props.get("Targets", []):
            fid = ref_id(target["Arn"])
            assert fid in by_id, f"rule {lid} targets {target['Arn']}, not a guardrail function"
            out[by_id[fid]].append(props["EventPattern"])
    return out


def all_patterns(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        r["Properties"]["EventPattern"]
        for r in resources(template, "AWS::Events::Rule").values()
        if "EventPattern" in r["Properties"]
    ]


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


# A policy document's condition, when its policy resource has one.
WHEN = "x-when"


def role_policy_documents(template: dict[str, Any], role_id: str) -> list[dict[str, Any]]:
    role = resources(template)[role_id]
    assert role["Type"] == "AWS::IAM::Role"
    assert not role["Properties"].get("ManagedPolicyArns"), f"{role_id} has managed policies"
    docs = [p["PolicyDocument"] for p in role["Properties"].get("Policies", [])]
    for pol in resources(template, "AWS::IAM::Policy").values():
        if any(ref_id(r) == role_id for r in pol["Properties"].get("Roles", [])):
            doc = pol["Properties"]["PolicyDocument"]
            if "Condition" in pol:  # a policy that exists only under a condition
                doc = {**doc, WHEN: pol["Condition"]}
            docs.append(doc)
    for pol in resources(template, "AWS::IAM::ManagedPolicy").values():
        assert not any(ref_id(r) == role_id for r in pol["Properties"].get("Roles", [])), (
            f"{role_id} has a managed policy"
        )
    return docs


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The statements of policy documents; those of a conditional policy carry the
    condition's name under WHEN, and so does a statement `!If [Cond, statement,
    !Ref AWS::NoValue]` (a key policy cannot be split into conditional policies)."""
    out = []
    for d in docs:
        for s in as_list(d["Statement"]):
            if set(s) == {"Fn::If"}:
                when, s, otherwise = s["Fn::If"]
                assert otherwise == {"Ref": "AWS::NoValue"}, f"a statement or none, not two: {s}"
                assert WHEN not in d, f"a conditional statement in a conditional policy: {s}"
                out.append({**s, WHEN: when})
                continue
            out.append({**s, WHEN: d[WHEN]} if WHEN in d else s)
    return out


def allowed_actions(docs: list[dict[str, Any]]) -> set[str]:
    return {a for s in statements(docs) if s["Effect"] == "Allow" for a in as_list(s["Action"])}


def function_role_id(template: dict[str, Any], function_id: str) -> str:
    role = resources(template)[function_id]["Properties"]["Role"]
    rid = ref_id(role)
    assert rid, f"{function_id} has a role that is not part of the template: {role}"
    return rid


_SUB_VAR = re.compile(r"\$\{([^}!]+)\}")


def render(value: Any, template: dict[str, Any]) -> Any:
    """Intrinsic functions rendered to comparable text.

    A reference to a parameter or pseudo parameter keeps its name; a reference
    to a resource becomes its type, and a condition of Fn::If its expression
    (logical ids differ between SAM and CDK).
    """
    res = template.get("Resources", {})

    def name_of(lid: str, attr: str | None = None) -> str:
        base = res[lid]["Type"] if lid in res else lid
        base = base.replace("AWS::Serverless::Function", "AWS::Lambda::Function")
        return "${" + base + (f".{attr}" if attr else "") + "}"

    if isinstance(value, dict):
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return name_of(arg)
            if key == "Fn::GetAtt":
                lid, attr = (arg if isinstance(arg, list) else arg.split(".", 1))
                return name_of(lid, attr)
            if key == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0]

                def sub(m: re.Match[str]) -> str:
                    ref = m.group(1)
                    if "." in ref:
                        lid, attr = ref.split(".", 1)
                        return name_of(lid, attr)
                    return name_of(ref)

                return _SUB_VAR.sub(sub, text)
            if key == "Fn::Join":
                sep, parts = arg
                return sep.join(str(render(p, template)) for p in parts)
            if key == "Fn::If":
                # Condition names differ between SAM and CDK: show the expression.
                condition, when_true, when_false = arg
                return {
                    "Fn::If": [
                        render(template["Conditions"][condition], template),
                        render(when_true, template),
                        render(when_false, template),
                    ]
                }
        return {k: render(v, template) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, template) for v in value]
    return value


def normalized_statements(docs: list[dict[str, Any]], template: dict[str, Any]) -> dict[str, Any]:
    """Statements keyed by Sid, with sorted actions and rendered resources/conditions."""
    out: dict[str, Any] = {}
    for s in statements(docs):
        sid = s.get("Sid")
        assert sid, f"statement without Sid: {s}"
        when = s.get(WHEN)
        rendered = render({k: v for k, v in s.items() if k != WHEN}, template)
        out[sid] = {
            # Condition names differ between SAM and CDK: compare what they test.
            "When": render(template["Conditions"][when], template) if when else None,
            "Effect": rendered["Effect"],
            "Action": sorted(as_list(rendered["Action"])),
            "Resource": sorted(as_list(rendered.get("Resource", []))),
            "Principal": normalize_principal(rendered.get("Principal")),
            "Condition": normalize_condition(rendered.get("Condition")),
        }
    return out


def normalize_principal(principal: Any) -> Any:
    if principal is None or isinstance(principal, str):
        return {"AWS": ["*"]} if principal == "*" else principal
    return {k: sorted(as_list(v)) for k, v in principal.items()}


def normalize_condition(condition: Any) -> Any:
    if not condition:
        return None
    return {
        op: {k: sorted(as_list(v)) for k, v in kv.items()} for op, kv in condition.items()
    }


def event_source_mappings(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Event source mappings (explicit in SAM and CDK alike)."""
    return resources(template, "AWS::Lambda::EventSourceMapping")


def schedule_rules(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        lid: r
        for lid, r in resources(template, "AWS::Events::Rule").items()
        if "ScheduleExpression" in r["Properties"]
    }
