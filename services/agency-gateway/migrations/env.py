from mash_common.db import run_alembic_env, runtime_metadata
from mash_gateway.adapters.tables import later_metadata, metadata

run_alembic_env([runtime_metadata, metadata, later_metadata])
