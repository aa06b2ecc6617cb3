# crm_loyalty — the two commands a newcomer needs are `make demo` and `make test`.
# Every target does its own set-up from nothing (tools/setup.sh) and is quick when done.
SHELL := /bin/bash

.PHONY: help setup demo test lint bench i18n db-start db-stop clean

help:
	@echo "make demo   set up everything, then serve Odoo with crm_loyalty and demo data on http://localhost:8069 (admin/admin)"
	@echo "           make demo WORKERS=2: the same in production mode (worker processes, cron worker, websocket)"
	@echo "make test   set up everything, then lint and run all tests in a fresh database"
	@echo "make lint   ruff and pylint-odoo's mandatory checks"
	@echo "make bench  performance figures at 10 000 and 100 000 customers"
	@echo "make i18n   regenerate the translation template and merge it into zh_CN.po"
	@echo "make setup  only the set-up (Debian packages, Odoo source, virtualenv, PostgreSQL)"
	@echo "make db-stop / db-start   stop or start the private PostgreSQL cluster"
	@echo "make clean  stop PostgreSQL and delete .local/ (virtualenv, databases, logs)"

setup:
	@bash tools/setup.sh

demo:
	@bash tools/demo.sh

test:
	@bash tools/test.sh

lint:
	@bash tools/lint.sh

bench:
	@bash tools/bench.sh

i18n:
	@bash tools/i18n.sh

db-start:
	@bash tools/pg.sh start

db-stop:
	@bash tools/pg.sh stop

clean: db-stop
	rm -rf .local
