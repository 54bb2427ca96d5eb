# `make run` and `make test` set everything up from nothing (virtualenv, Python packages, helm 3 and 4).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HELM3 := .cache/helm/3.18.0/helm
HELM4 := .cache/helm/4.1.4/helm

.PHONY: setup run test e2e-kind unit golden clean

setup: $(VENV)/.stamp $(HELM3) $(HELM4)
	@$(BIN)/python -m compileall -q helmgen >/dev/null  # bytecode as `pip install` leaves it, also where PYTHONDONTWRITEBYTECODE is set

$(VENV)/.stamp: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,deploy,operator,lint]' --config-settings editable_mode=compat  # a .pth path: 12 ms faster start than the import-hook finder
	touch $@

$(HELM3):
	scripts/fetch-helm 3 >/dev/null

$(HELM4):
	scripts/fetch-helm 4 >/dev/null

run: setup
	HELMGEN_HELM=$(abspath $(HELM4)) $(BIN)/helmgen lint examples/istio-operator.yaml
	$(BIN)/helmgen translate -f examples/istio-operator.yaml -o out
	$(BIN)/helmgen plan -f examples/istio-operator.yaml
	@echo "linted; values, plan.yaml, helmfile.yaml, README.md and a chart per release (charts/) are in out/"

test: setup
	HELMGEN_E2E=1 HELMGEN_HELM3=$(abspath $(HELM3)) HELMGEN_HELM4=$(abspath $(HELM4)) $(BIN)/pytest tests

# The e2e tier on kind clusters instead of scripts/testbed, for machines with Docker (needs kind and kubectl on
# PATH; pods really run there, so images are pulled from the IstioOperator's hub).
e2e-kind: setup
	HELMGEN_E2E=1 HELMGEN_E2E_KIND=1 HELMGEN_HELM3=$(abspath $(HELM3)) HELMGEN_HELM4=$(abspath $(HELM4)) $(BIN)/pytest tests/e2e

clean:
	rm -rf $(VENV) out
