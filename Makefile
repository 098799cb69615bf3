# CPro — two commands do everything on a fresh machine:
#   make run    virtual environment, install, migrate, demo data, serve on 127.0.0.1:$(PORT)
#   make test   install what the tests need (Python packages, Debian's chromium), ruff, the whole suite
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
PORT   ?= 8000
export PORT  # embedded, the site's address comes from each request; commands print 127.0.0.1:$(PORT)

.PHONY: run test install install-test lint migrate demo clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(VENV)/bin/activate
	$(PY) -m pip install --quiet -e .

install-test: $(VENV)/bin/activate
	$(PY) -m pip install --quiet -e '.[test]'
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installation de chromium (tests dans un vrai navigateur)…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium n'a pas pu être installé : les tests navigateur seront ignorés."; }

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py demo

run: demo
	@echo "CPro : http://127.0.0.1:$(PORT)/"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports  # layers between apps (pyproject.toml [tool.importlinter])

test: install-test lint
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key-not-for-production} $(PY) -m pytest

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
