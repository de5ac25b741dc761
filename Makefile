# Everything runs on tools this Makefile provisions into $(TOOLS_DIR) (outside git, keyed by version), never on
# whatever Node.js, kube-apiserver or moto happens to be installed.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

NODE_VERSION := 24.21.0
NPM_VERSION  := 11.21.2
KUBE_VERSION := v1.36.3
HELM_VERSION := v3.19.0
GLUA_VERSION := v1.1.1
# The newest krew the Go module proxy serves; the tests install kubectl ddbr with it from deploy/krew/ddbr.yaml.
KREW_VERSION := v0.4.3
ACTIONLINT_VERSION := v1.7.12
# The one version source: package.json's (the chart, the kustomize base and the image tag follow it; a unit test
# checks they agree).
VERSION := $(shell sed -n 's/^  "version": "\(.*\)",$$/\1/p' package.json)
# Prometheus's Go module numbers its 3.x releases v0.3xx; promtool checks and unit-tests deploy/prometheus/alerts.yaml.
PROMETHEUS_MODULE_VERSION := v0.316.0
CONTAINERD_VERSION := v2.4.2
# Argo CD's application controller and repo server, which the cluster suite syncs restores from Git with.
ARGOCD_VERSION := v3.6.1

TOOLS_DIR ?= $(or $(DDBR_TOOLS_DIR),$(HOME)/.cache/dynamodb-restore-operator)
NODE_ARCH := $(subst x86_64,x64,$(subst aarch64,arm64,$(shell uname -m)))
NODE_DIR  := $(TOOLS_DIR)/node-$(NODE_VERSION)
NODE      := $(NODE_DIR)/node_modules/node-linux-$(NODE_ARCH)/bin/node
# Keyed by the requirements' content, so a fresh clone reuses the venv and an edit builds a new one.
VENV      := $(TOOLS_DIR)/venv-$(shell sha256sum test/support/requirements.txt | cut -c1-12)
# KUBEBUILDER_ASSETS pointing at ready binaries skips the control-plane build.
ASSETS    := $(if $(and $(KUBEBUILDER_ASSETS),$(wildcard $(KUBEBUILDER_ASSETS)/kube-apiserver),$(wildcard $(KUBEBUILDER_ASSETS)/etcd)),$(KUBEBUILDER_ASSETS),$(TOOLS_DIR)/kube-$(KUBE_VERSION))

export PATH := $(dir $(NODE)):$(NODE_DIR)/node_modules/.bin:$(CURDIR)/node_modules/.bin:$(PATH)
HELM      := $(TOOLS_DIR)/helm-$(HELM_VERSION)/helm
# gopher-lua: the Lua 5.1 interpreter Argo CD runs health checks with.
GLUA      := $(TOOLS_DIR)/glua-$(GLUA_VERSION)/glua
KREW      := $(TOOLS_DIR)/krew-$(KREW_VERSION)/krew
ACTIONLINT := $(TOOLS_DIR)/actionlint-$(ACTIONLINT_VERSION)/actionlint
PROMTOOL  := $(TOOLS_DIR)/promtool-$(PROMETHEUS_MODULE_VERSION)/promtool

export TESTBED_ASSETS := $(ASSETS)
export TESTBED_HELM := $(HELM)
export TESTBED_GLUA := $(GLUA)
export TESTBED_KREW := $(KREW)
export TESTBED_PROMTOOL := $(PROMTOOL)
# hack/argocd/build.sh's output (node-tools provisions it): the multicall binary, its component links, Argo CD's CRDs.
export TESTBED_ARGOCD_DIR := $(TOOLS_DIR)/argocd-$(ARGOCD_VERSION)
export TESTBED_MOTO_SERVER := $(VENV)/bin/moto_server
export TESTBED_RUNS_DIR := $(TOOLS_DIR)/runs
# The benchmark's baseline: the aws CLI from PyPI, in its own venv keyed by its requirements.
BENCH_VENV := $(TOOLS_DIR)/bench-venv-$(shell sha256sum bench/requirements.txt | cut -c1-12)

.PHONY: help
help: ## Show the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

.PHONY: demo
demo: deps testbed-tools ## Run the tutorial's Music restore on a local control plane and DynamoDB emulator
	@node --import tsx hack/demo.ts

.PHONY: test
# Every mocha run adds its counts to one file, so the closing lines after the cluster suites are the whole suite's.
TEST_COUNTS := $(CURDIR)/.test-counts.json
test: deps testbed-tools check node-tools ## Type-check, lint, drift-check and run every test: unit, integration, end-to-end on the bed, then on a real one-node cluster (needs root)
	rm -f $(TEST_COUNTS)
	TEST_COUNTS_FILE=$(TEST_COUNTS) c8 mocha
	TEST_COUNTS_FILE=$(TEST_COUNTS) $(MAKE) --no-print-directory e2e-cluster

.PHONY: check
check: deps $(ACTIONLINT) $(HELM) ## Type-check, lint (workflows and the Helm chart too) and check generated files for drift
	tsc --noEmit
	eslint --max-warnings 0 .
	node --import tsx src/api/generate-crds.ts --check
	$(ACTIONLINT) -shellcheck= -pyflakes= .github/workflows/*.yml
	$(HELM) lint --strict --quiet deploy/helm/dynamodb-restore-operator

.PHONY: generate
generate: deps ## Regenerate crds/ from src/api
	node --import tsx src/api/generate-crds.ts

.PHONY: build
build: deps ## Compile the operator to dist/
	tsc -p tsconfig.build.json

.PHONY: bench
bench: deps testbed-tools $(BENCH_VENV)/.installed ## Measure speed and memory on the test bed; writes docs/benchmarks.md (about 20 min)
	BENCH_AWS_CLI=$(BENCH_VENV)/bin/aws node --import tsx bench/run.ts

.PHONY: bench-memory
bench-memory: deps testbed-tools ## Measure the heap one cached DynamoDBRestore costs; writes docs/benchmarks.md (about a minute)
	node --import tsx bench/cache-memory.ts

$(BENCH_VENV)/.installed:
	rm -rf $(BENCH_VENV) && python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

.PHONY: e2e
e2e: deps testbed-tools ## Run only the end-to-end suite, on the local control plane
	$(MOCHA_E2E)

# Mocha as `make test` runs it, on the files given; E2E_USE_KUBECONFIG=1 points the bed at the cluster KUBECONFIG names.
MOCHA_FILES = mocha --no-config --node-option import=tsx --extension ts --require test/support/mocha-hooks.ts \
	--reporter ./test/support/spec-with-summary.cjs --timeout 180000
# The end-to-end suite alone.
MOCHA_E2E = $(MOCHA_FILES) 'test/e2e/**/*.test.ts'

.PHONY: test-files
test-files: deps testbed-tools ## Run some test files on the bed: make test-files FILES='test/integration/x.test.ts ...'
	$(MOCHA_FILES) $(FILES)

.PHONY: mutation
# StrykerJS over src/restore and src/runtime against their unit tests (stryker.config.mjs); not part of make test or
# CI. Incremental: only mutants in code or tests changed since reports/stryker-incremental.json are run again. The
# property runs replay one seed, so a mutant's fate does not depend on the cases fast-check happens to draw.
mutation: deps ## Mutation-test src/restore and src/runtime against the unit tests (StrykerJS, incremental); see docs/testing.md
	FAST_CHECK_SEED=1 NODE_OPTIONS='--import $(CURDIR)/test/support/stryker-mocha-12.mjs' nice -n 10 stryker run

.PHONY: mutation-static
mutation-static: deps ## make mutation, testing again the static mutants that survived (incremental mode reuses them whatever tests changed)
	node --import tsx test/support/stryker-forget-static-survivors.ts reports/stryker-incremental.json
	$(MAKE) mutation

.PHONY: chaos
chaos: deps testbed-tools ## Chaos run: operator and apiserver kills, failing AWS calls, leader kills; writes docs/reliability.md
	node --import tsx chaos/run.ts

.PHONY: e2e-kind
e2e-kind: deps testbed-tools ## Run the end-to-end suite on a kind cluster (needs Docker and kind)
	kind create cluster --name ddbr-e2e --kubeconfig $(TOOLS_DIR)/kind.kubeconfig --wait 120s
	KUBECONFIG=$(TOOLS_DIR)/kind.kubeconfig E2E_USE_KUBECONFIG=1 $(MOCHA_E2E); \
	  status=$$?; kind delete cluster --name ddbr-e2e; exit $$status

# The one-node cluster's tools and images (hack/node/), and the operator's image tagged as the chart names it, so
# the chart's IfNotPresent never pulls it.
NODE_ENV_VARS := TOOLS_DIR=$(TOOLS_DIR) KUBE_VERSION=$(KUBE_VERSION) CONTAINERD_VERSION=$(CONTAINERD_VERSION) ARGOCD_VERSION=$(ARGOCD_VERSION)
CLUSTER_IMAGE := ghcr.io/dynamodb-restore/dynamodb-restore-operator:$(shell sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$$/\1/p' deploy/helm/dynamodb-restore-operator/Chart.yaml)
CLUSTER_IMAGE_ARCHIVE := $(TOOLS_DIR)/images/operator-dev.tar

.PHONY: node-tools
node-tools: deps ## Provision a one-node cluster's tools: kubelet, containerd, pause and base images, Argo CD (needs root)
	$(NODE_ENV_VARS) hack/node/provision.sh

.PHONY: e2e-cluster
e2e-cluster: deps testbed-tools node-tools ## Build the image, install the chart on a real one-node cluster, run the end-to-end and cluster suites (needs root)
	$(NODE_ENV_VARS) hack/node/build-image.sh $(CLUSTER_IMAGE_ARCHIVE) $(CLUSTER_IMAGE)
	$(NODE_ENV_VARS) CLUSTER_IMAGE=$(CLUSTER_IMAGE) node --import tsx hack/node/cluster.ts $(CLUSTER_IMAGE_ARCHIVE) -- \
	  $(MOCHA_E2E) 'test/cluster/*.test.ts'
	$(NODE_ENV_VARS) $(MOCHA_FILES) 'test/cluster/host/*.test.ts'

.PHONY: image
image: ## Build the container image (needs Docker)
	docker build -t dynamodb-restore-operator:dev .

# RELEASE_IMAGE=none skips the image (the release workflow builds it multi-arch with buildx).
RELEASE_IMAGE ?= ghcr.io/dynamodb-restore/dynamodb-restore-operator:v$(VERSION)
.PHONY: release
release: deps $(HELM) ## Build the release into dist/release: chart package, SBOM (CycloneDX), the kubectl plugin's krew archive and the image as an archive
	rm -rf dist/release && mkdir -p dist/release
	$(HELM) lint --strict deploy/helm/dynamodb-restore-operator
	$(HELM) package deploy/helm/dynamodb-restore-operator --destination dist/release
	npm sbom --omit=dev --sbom-format cyclonedx > dist/release/dynamodb-restore-operator-$(VERSION).cdx.json
	node --import tsx hack/plugin-archive.ts --check
	@if [ "$(RELEASE_IMAGE)" = none ]; then exit 0; \
	elif docker info >/dev/null 2>&1; then \
	  docker build -t $(RELEASE_IMAGE) . && docker save -o dist/release/image-$(VERSION).tar $(RELEASE_IMAGE); \
	elif command -v buildah >/dev/null; then \
	  buildah bud -t $(RELEASE_IMAGE) . && buildah push $(RELEASE_IMAGE) docker-archive:dist/release/image-$(VERSION).tar:$(RELEASE_IMAGE); \
	else echo "make release: no Docker engine and no buildah to build the image (RELEASE_IMAGE=none skips it)" >&2; exit 1; fi
	ls -l dist/release

.PHONY: plugin-archive
plugin-archive: deps ## Build kubectl ddbr's krew archive into dist/release and write its sha256 into deploy/krew/ddbr.yaml
	node --import tsx hack/plugin-archive.ts

# The release workflow's guard: the tag pushed names the version package.json holds.
.PHONY: release-check-version
release-check-version:
	@test "$(VERSION)" = "$(VERSION_TAG)" || { echo "tag v$(VERSION_TAG) but package.json says $(VERSION)" >&2; exit 1; }

# Needs a registry that answers npm's advisory endpoint (a POST); the one this project's machines reach answers 405,
# so here it fails and says so rather than pass having checked nothing (docs/security.md).
.PHONY: audit
audit: deps ## Audit the runtime dependencies for known vulnerabilities (npm audit --omit=dev)
	@out=$$(npm audit --omit=dev --audit-level=low 2>&1) && { echo "$$out"; exit 0; }; echo "$$out"; \
	if grep -q 'audit endpoint returned an error' <<<"$$out"; then \
	  echo "make audit: the npm registry ($$(npm config get registry 2>/dev/null)) does not serve the audit endpoint, so nothing was audited; see docs/security.md." >&2; \
	fi; exit 1

.PHONY: deps
deps: node_modules/.installed

# Quiet: the demo and the tests start with their own output, not npm's notices.
node_modules/.installed: package.json package-lock.json $(NODE)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(NODE):
	rm -rf $(NODE_DIR).tmp && mkdir -p $(NODE_DIR).tmp
	# The npm registry's `node` package does this same install of the arch-specific package from a preinstall
	# script, which npm 11 no longer runs by default; naming the package directly is the same bytes, without it.
	npm install --prefix $(NODE_DIR).tmp --no-save --no-audit --no-fund --loglevel=error node-linux-$(NODE_ARCH)@$(NODE_VERSION) npm@$(NPM_VERSION)
	rm -rf $(NODE_DIR) && mv $(NODE_DIR).tmp $(NODE_DIR)

.PHONY: testbed-tools
testbed-tools: $(VENV)/.installed $(ASSETS)/kube-apiserver $(HELM) $(GLUA) $(KREW) $(PROMTOOL)

$(VENV)/.installed:
	rm -rf $(VENV) && python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r test/support/requirements.txt
	touch $@

$(TOOLS_DIR)/kube-$(KUBE_VERSION)/kube-apiserver:
	KUBE_VERSION=$(KUBE_VERSION) hack/build-control-plane.sh $(dir $@)

# helm's module has no replace directives, so go install builds it straight from the Go module proxy.
$(HELM):
	GOBIN=$(dir $@) CGO_ENABLED=0 go install -trimpath -ldflags '-s -w' helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

# The release workflow's linter (it cannot run here; `make check` lints it).
$(ACTIONLINT):
	GOBIN=$(dir $@) CGO_ENABLED=0 go install -trimpath -ldflags '-s -w' github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

$(GLUA):
	GOBIN=$(dir $@) CGO_ENABLED=0 go install -trimpath -ldflags '-s -w' github.com/yuin/gopher-lua/cmd/glua@$(GLUA_VERSION)

$(KREW):
	GOBIN=$(dir $@) CGO_ENABLED=0 go install -trimpath -ldflags '-s -w' sigs.k8s.io/krew/cmd/krew@$(KREW_VERSION)

# Like helm's, Prometheus's module has no replace directives: go install builds promtool from the Go module proxy.
$(PROMTOOL):
	GOBIN=$(dir $@) CGO_ENABLED=0 go install -trimpath -ldflags '-s -w' github.com/prometheus/prometheus/cmd/promtool@$(PROMETHEUS_MODULE_VERSION)
