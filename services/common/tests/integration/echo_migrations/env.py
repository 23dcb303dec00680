from mash_common.db import run_alembic_env, runtime_metadata

run_alembic_env([runtime_metadata])
