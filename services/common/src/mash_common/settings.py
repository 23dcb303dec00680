"""Settings: one class per service, read from the environment.

Hub-wide values come from `MASH_<FIELD>` (e.g. MASH_KAFKA_BOOTSTRAP); a service's own value
`MASH_<SERVICE>_<FIELD>` (e.g. MASH_INTAKE_DATABASE_URL) wins over the hub-wide one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from .auth import DEV_TOKEN_PUBLIC_KEY

# Development-only master key. Refused outside development and test.
DEV_DATA_KEY = "ZGV2ZWxvcG1lbnQtb25seS1tYXNoLWRhdGEta2V5LTAwMDA"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MASH_", extra="ignore")

    service: ClassVar[str] = "service"
    default_port: ClassVar[int] = 8000

    env: Literal["development", "test", "production"] = "development"
    kafka_bootstrap: str = "127.0.0.1:9092"
    data_dir: Path = Path(".data")
    database_url: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int | None = None
    data_key: SecretStr = SecretStr(DEV_DATA_KEY)
    # The console's public key; staff tokens it signs are verified with it (see auth.py).
    token_public_key: str = DEV_TOKEN_PUBLIC_KEY
    log_level: str = "INFO"
    # Kafka consumer group tuning; tests lower the session timeout (a join waits ~half of it).
    consumer_group_id: str | None = None  # default: mash.<service>
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 1_000
    metadata_max_age_ms: int = 3_000
    relay_interval_s: float = 0.2
    epoch_check_interval_s: float = 2.0
    timer_interval_s: float = 1.0

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        own_prefix = "MASH_" + cls.service.upper().replace("-", "_") + "_"
        own = EnvSettingsSource(settings_cls, env_prefix=own_prefix)
        return (init_settings, own, env_settings)

    @model_validator(mode="after")
    def _refuse_dev_secrets(self) -> ServiceSettings:
        if self.env == "production" and self.data_key.get_secret_value() == DEV_DATA_KEY:
            raise ValueError(
                "MASH_DATA_KEY is the development key; set a real one in production"
            )
        if self.env == "production" and self.token_public_key == DEV_TOKEN_PUBLIC_KEY:
            raise ValueError(
                "MASH_TOKEN_PUBLIC_KEY is the development key; run `mash-token --new-key-pair`"
            )
        return self

    @property
    def port(self) -> int:
        return self.http_port or self.default_port

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir.resolve()}/{self.service}.db"

    @property
    def consumer_group(self) -> str:
        return self.consumer_group_id or f"mash.{self.service}"

    def public(self) -> dict[str, Any]:
        """What may be logged: no secrets."""
        return self.model_dump(exclude={"data_key"}, mode="json")
