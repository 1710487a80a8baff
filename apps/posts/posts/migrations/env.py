from posts.models import Base
from service_core.migrate import run_migrations

run_migrations(Base.metadata)
