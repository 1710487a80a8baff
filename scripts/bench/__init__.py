"""The load benchmark of `make bench` (`python -m scripts.bench`), against a local stack of its own.

command.py is the command (settings in turn, the tables, build/bench.json and bench.md); measure.py measures one
gunicorn setting in paired rounds; stats.py makes medians, spreads and ratios of them; report.py the tables.
generator.py picks the load generator: wrk.py (wrk, with wrk_report.lua) or, where wrk is missing, load.py;
endpoints.py says what each sends and result.py what each measures. cpu.py reads the CPU time of the app and of
PostgreSQL, baseline.py is the minimal Flask + SQLAlchemy app every endpoint is compared with, scale.py the latency
of `GET /posts?route=` at 1,000 and 100,000 rows.

May import: the standard library, registry, scripts.stack, requests, psycopg2 and psutil (CPU time), and, for the
baseline app, flask, sqlalchemy and service_core (`make bench` puts apps/core on PYTHONPATH for it). Never the
services, nor bootstrap or scripts.delivery.
"""
