# Infrastructure targets, included by the root Makefile (`include infra/make.mk`).
# Paths are relative to the repository root.
#
#   make package      Lambda zips in target/lambda/<name>/bootstrap.zip (arm64, or
#                     x86_64 when the aarch64 Rust target is not installed)
#   make synth        make package + synthesize the CDK app from those zips
#   make sam-build    sam build of infra/template.yaml, pinned to the built architecture
#   make deploy       make sam-build + sam deploy --guided (config in infra/samconfig.toml)
#   make deploy-cdk   make package + cdk deploy (ORG_ID=o-... required)
#   make infra-test   offline checks: cfn-lint, checkov, cdk synth, pytest, jest
#
# REGION=... PROFILE=... name the Region and AWS CLI profile `make deploy` and
# `make deploy-cdk` deploy to (--region, --profile). SAM CLI does not read
# AWS_REGION: without REGION, a first guided deploy offers us-east-1.

VENV ?= .venv
LAMBDA_BINS ?= on-create-instance on-org-event sweep sweep-worker outlets
ORG_ID ?=
SAM ?= $(shell command -v sam 2>/dev/null || echo $(VENV)/bin/sam)
SAM_BUILD_FLAGS ?=
SAM_DEPLOY_FLAGS ?=
CDK_DEPLOY_FLAGS ?=
REGION ?=
PROFILE ?=
TARGET_FLAGS = $(if $(REGION),--region $(REGION)) $(if $(PROFILE),--profile $(PROFILE))

# cargo-lambda cross-compiles with zig, but only to targets rustup has installed.
LAMBDA_ARCH := $(shell rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu && echo arm64 || echo x86_64)
LAMBDA_ARCH_FLAG := $(if $(filter arm64,$(LAMBDA_ARCH)),--arm64,--x86-64)

.PHONY: package synth sam-build deploy deploy-cdk infra-test infra-node-modules

package:
	@if [ "$(LAMBDA_ARCH)" != arm64 ]; then \
	  echo "package: aarch64-unknown-linux-gnu is not installed (rustup target add aarch64-unknown-linux-gnu);"; \
	  echo "package: building x86_64 instead - deploy with Architecture=x86_64"; \
	fi
	PATH="$(abspath $(VENV))/bin:$$PATH" AWS_LC_SYS_NO_JITTER_ENTROPY=1 \
	  cargo lambda build --release $(LAMBDA_ARCH_FLAG) --output-format zip $(addprefix --bin ,$(LAMBDA_BINS))
	@for b in $(LAMBDA_BINS); do ls -l target/lambda/$$b/bootstrap.zip; done
	@echo "package: built for $(LAMBDA_ARCH)"

infra-node-modules:
	@if [ ! -d infra/cdk/node_modules ]; then cd infra/cdk && npm ci --no-audit --no-fund; fi

synth: package infra-node-modules
	cd infra/cdk && CDK_DISABLE_CLI_TELEMETRY=true npx --no-install cdk synth --no-notices \
	  -c codeRoot=$(abspath target/lambda)

# SAM builds the Rust functions itself (BuildMethod rust-cargolambda, a beta
# feature of SAM CLI, with the venv's cargo-lambda). SAM runs from infra/, so that
# `sam deploy --guided` saves samconfig.toml next to the template (infra/), where
# the next `cd infra && sam deploy ...` finds it (a --template-file under
# .aws-sam/build would put it where the next build deletes it).
# The build is for LAMBDA_ARCH (arm64 when the aarch64 Rust target is installed,
# else x86_64; `make deploy LAMBDA_ARCH=x86_64` to choose), and the built template
# is pinned to it: a deploy with the other Architecture is refused by CloudFormation.
SAM_BUILT_TEMPLATE := infra/.aws-sam/build/template.yaml

sam-build: venv
	@command -v $(SAM) >/dev/null 2>&1 || { echo "sam-build: SAM CLI not found (pip install aws-sam-cli)"; exit 1; }
	cd infra && PATH="$(abspath $(VENV))/bin:$$PATH" AWS_LC_SYS_NO_JITTER_ENTROPY=1 \
	  $(SAM) build --template-file template.yaml --beta-features \
	  --parameter-overrides Architecture=$(LAMBDA_ARCH) $(SAM_BUILD_FLAGS)
	$(VENV)/bin/python infra/pin_architecture.py $(SAM_BUILT_TEMPLATE) $(LAMBDA_ARCH)

deploy: sam-build
	cd infra && $(SAM) deploy --guided $(TARGET_FLAGS) --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
	  --parameter-overrides Architecture=$(LAMBDA_ARCH) $(SAM_DEPLOY_FLAGS)

deploy-cdk: package infra-node-modules
	@test -n "$(ORG_ID)" || { echo "deploy-cdk: set ORG_ID=o-xxxxxxxxxx"; exit 1; }
	cd infra/cdk && CDK_DISABLE_CLI_TELEMETRY=true npx --no-install cdk deploy $(TARGET_FLAGS) \
	  -c codeRoot=$(abspath target/lambda) \
	  --parameters OrganizationId=$(ORG_ID) --parameters Architecture=$(LAMBDA_ARCH) $(CDK_DEPLOY_FLAGS)

infra-test:
	VENV="$(abspath $(VENV))" bash infra/test.sh
