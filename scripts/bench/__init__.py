"""The load benchmark of `make bench` (`python -m scripts.bench`), against a local stack of its own.

load.py is the load generator, baseline.py the minimal Flask + SQLAlchemy app every endpoint is compared with,
measure.py what is measured and the command that writes build/bench.json.

May import: the standard library, registry, scripts.stack, requests and psycopg2, and, for the baseline app,
flask, sqlalchemy and service_core (`make bench` puts apps/core on PYTHONPATH for it). Never the services, nor
bootstrap or scripts.delivery.
"""
