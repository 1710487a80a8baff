from service_core.migrate import run_migrations
from users.models import Base

run_migrations(Base.metadata)
