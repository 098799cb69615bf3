# CPro — two commands do everything on a fresh machine:
#   make run    virtual environment, install, migrate, demo data, serve on 127.0.0.1:$(PORT)
#   make test   install what the tests need (Python packages, Debian's chromium), ruff, the whole suite
#   make lock   pin every Python package (with hashes) after a change of pyproject.toml's dependencies
#   make bench-load   load benchmark of a school's busiest hour on the local PostgreSQL (README « Banc de charge »)
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
PORT   ?= 8000
export PORT  # embedded, the site's address comes from each request; commands print 127.0.0.1:$(PORT)

.PHONY: run test install install-test system-libs lock lint migrate demo clean bench-load

# Installs use only the locked versions, each checked against its hash; the project itself adds no dependency.
# The locks are made from pyproject.toml by `make lock` (pip-tools), with the machine's own pip configuration set
# aside so that they name the public registry's files only. LOCK_FLAGS=--upgrade moves every pin to its latest.
LOCK = env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_CONSTRAINT PIP_CONFIG_FILE=/dev/null \
       CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
       --strip-extras --no-emit-index-url $(LOCK_FLAGS)
# WeasyPrint (PDF documents) needs Pango, HarfBuzz's subsetter and a font, from Debian.
WEASYPRINT_DEBS = libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(VENV)/bin/activate system-libs
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .

install-test: $(VENV)/bin/activate system-libs
	$(PY) -m pip install --quiet --require-hashes -r requirements-test.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installation de chromium (tests dans un vrai navigateur)…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium n'a pas pu être installé : les tests navigateur seront ignorés."; }

system-libs:
	@missing=$$(for p in $(WEASYPRINT_DEBS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	[ -z "$$missing" ] || { \
	  echo "Installation des bibliothèques des documents PDF (WeasyPrint) : $$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	   $$missing >/dev/null) \
	  || echo "Installez $$missing (ou leurs équivalents) : sans eux, les documents PDF ne peuvent pas être produits."; }

lock: $(VENV)/bin/activate
	$(PY) -m pip install --quiet pip-tools
	$(LOCK) --output-file requirements.lock pyproject.toml
	$(LOCK) --extra test --output-file requirements-test.lock pyproject.toml

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_referentiel
	$(PY) manage.py demo

run: demo
	@echo "CPro : http://127.0.0.1:$(PORT)/"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports  # layers between apps (pyproject.toml [tool.importlinter])

test: install-test lint
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key-not-for-production} $(PY) -m pytest

# Load benchmark of a school's busiest hour (README « Banc de charge »): its own database on the local PostgreSQL
# (cpro_bench), gunicorn and locust on 127.0.0.1 only. BENCH_ARGS="--users 50,200 --duration 60" to change.
bench-load: install-test
	$(PY) manage.py bench_load $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
