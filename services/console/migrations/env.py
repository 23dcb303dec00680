from mash_common.db import run_alembic_env
from mash_console.adapters.tables import metadata

run_alembic_env([metadata])
