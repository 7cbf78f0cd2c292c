"""Pin the built template's Architecture parameter to the architecture it was built for.

`sam build` compiles the functions for the Architecture it is given, but the built template
still offers both values, with arm64 as the default: a stack built for x86_64 and deployed
with the default would deploy, then fail at every invocation. After this, the built
template accepts only the built architecture (and defaults to it), so such a deploy is
refused by CloudFormation before anything changes.

    python infra/pin_architecture.py infra/.aws-sam/build/template.yaml x86_64

The template is rewritten as JSON (a YAML parser, SAM's included, reads JSON as is).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ARCHITECTURES = ("arm64", "x86_64")


def pin(template: dict, architecture: str) -> dict:
    if architecture not in ARCHITECTURES:
        raise SystemExit(f"pin_architecture: unknown architecture {architecture!r} (arm64 or x86_64)")
    param = template.get("Parameters", {}).get("Architecture")
    if param is None:
        raise SystemExit("pin_architecture: the template has no Architecture parameter")
    if architecture not in param.get("AllowedValues", ARCHITECTURES):
        raise SystemExit(f"pin_architecture: {architecture} is not allowed by the template")
    param["AllowedValues"] = [architecture]
    param["Default"] = architecture
    param["Description"] = f"Lambda architecture: this build is for {architecture} only (make deploy pinned it)."
    return template


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: pin_architecture.py BUILT_TEMPLATE arm64|x86_64", file=sys.stderr)
        return 2
    path, architecture = Path(argv[1]), argv[2]
    from cfnlint.decode import cfn_yaml  # reads YAML with the short !Ref tags, and JSON

    template = json.loads(json.dumps(cfn_yaml.load(str(path))))
    path.write_text(json.dumps(pin(template, architecture), indent=1) + "\n")
    print(f"pin_architecture: {path} accepts Architecture={architecture} only")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
