from mash_common.db import run_alembic_env, runtime_metadata
from mash_gateway.adapters.tables import metadata

run_alembic_env([runtime_metadata, metadata])
