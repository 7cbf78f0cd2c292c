"""sso-admin application providers: DescribeApplicationProvider and ListApplicationProviders
(missing in stock moto), from a small catalogue of AWS-managed providers plus those a test registers
with /idc-guardrail/application-provider (for opaque provider ARNs).

The catalogue's ARNs and what backs each are listed in the README ("Application providers"). Only
``custom`` is confirmed to exist by a source that runs against AWS; the others are ARNs seen in use
or, for QuickSight, the documented ARN form with the service's name (unconfirmed). The display
names are ours: AWS does not publish what DescribeApplicationProvider answers for them. A
FederationProtocol is given only where a source says which protocol the application uses.
"""

import json

from moto.ssoadmin.responses import SSOAdminResponse
from moto.utilities.utils import get_partition

from .errors import AwsError
from .instances import paginate
from .state import LOCK, STATE
from .validation import request_params, validated, violations

# name after "applicationProvider/" -> (DisplayName, FederationProtocol or None)
CATALOGUE = {
    "custom": ("Custom application", "OAUTH"),
    "codewhisperer": ("Amazon Q Developer", "OAUTH"),
    "qbusiness": ("Amazon Q Business", None),
    "quicksight": ("Amazon QuickSight", None),
    "redshift": ("Amazon Redshift", None),
}
_PROTOCOLS = ("SAML", "OAUTH")


def _arn(partition: str, name: str) -> str:
    return f"arn:{partition}:sso::aws:applicationProvider/{name}"


def _catalogued(partition: str) -> dict:
    """ARN -> provider (as DescribeApplicationProvider answers) of the catalogue, in a partition."""
    out = {}
    for name, (display, protocol) in CATALOGUE.items():
        arn = _arn(partition, name)
        out[arn] = {"ApplicationProviderArn": arn, "DisplayData": {"DisplayName": display}}
        if protocol:
            out[arn]["FederationProtocol"] = protocol
    return out


def providers(region: str) -> dict:
    """Every provider a caller in `region` can see: the catalogue in the Region's partition, then
    the registered ones of that partition."""
    partition = get_partition(region)
    registered = {a: p for a, p in STATE["application_providers"].items() if a.split(":")[1] == partition}
    return {**_catalogued(partition), **registered}


def describe_application_provider(self):
    arn = request_params(self)["ApplicationProviderArn"]  # validated first: present, well formed
    with LOCK:
        found = providers(self.region).get(arn)
    if found is None:
        raise AwsError("ResourceNotFoundException", f"Application provider {arn} does not exist.")
    return json.dumps(found)


def list_application_providers(self):
    with LOCK:
        page, nxt = paginate(list(providers(self.region).values()), request_params(self))
    return json.dumps({"ApplicationProviders": page, **nxt})


def register(body: dict) -> dict:
    """/idc-guardrail/application-provider: {"application_provider_arn", "display_name",
    "description"?, "icon_url"?, "federation_protocol"?}, checked against the documented
    constraints of ApplicationProviderArn and DisplayData. A catalogued ARN cannot be replaced;
    registering an ARN again replaces it. Answers the provider as DescribeApplicationProvider."""
    arn = body["application_provider_arn"]
    fields = {"ApplicationProviderArn": arn, "DisplayName": body["display_name"],
              "Description": body.get("description"), "IconUrl": body.get("icon_url")}
    errors = [f"{shape} must be a string" for shape, value in fields.items()
              if value is not None and not isinstance(value, str)]
    errors += [e for shape, value in fields.items() if isinstance(value, str) for e in violations(shape, value)]
    protocol = body.get("federation_protocol")
    if protocol is not None and protocol not in _PROTOCOLS:
        errors.append(f"federation_protocol must be one of {', '.join(_PROTOCOLS)}")
    if errors:
        raise AwsError("ValidationException", "; ".join(errors))
    if arn.split("/", 1)[1] in CATALOGUE:
        raise AwsError("ValidationException", f"{arn} is in the emulator's catalogue and cannot be replaced")
    display = {k: fields[k] for k in ("DisplayName", "Description", "IconUrl") if fields[k] is not None}
    provider = {"ApplicationProviderArn": arn, "DisplayData": display}
    if protocol:
        provider["FederationProtocol"] = protocol
    STATE["application_providers"][arn] = provider
    return provider


def install():
    for fn in (describe_application_provider, list_application_providers):
        setattr(SSOAdminResponse, fn.__name__, validated(fn))
