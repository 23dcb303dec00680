"""The console's settings: MASH_CONSOLE_<FIELD>, e.g. MASH_CONSOLE_INTAKE_URL."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from mash_common.auth import DEV_TOKEN_PRIVATE_KEY
from mash_common.settings import DEV_DATA_KEY


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MASH_CONSOLE_", extra="ignore", populate_by_name=True
    )

    # These few also follow the hub-wide MASH_<FIELD> (as every service does).
    env: Literal["development", "test", "production"] = Field(
        "development", validation_alias=AliasChoices("MASH_CONSOLE_ENV", "MASH_ENV")
    )
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    intake_url: str = "http://127.0.0.1:8001"
    triage_url: str = "http://127.0.0.1:8002"
    agency_gateway_url: str = "http://127.0.0.1:8003"
    decision_url: str = "http://127.0.0.1:8004"
    feedback_url: str = "http://127.0.0.1:8005"
    probe_timeout_s: float = Field(1.0, gt=0, description="How long to wait for a /readyz")
    api_timeout_s: float = Field(10.0, gt=0, description="How long to wait for a service's API")
    log_level: str = "INFO"
    # The console's own store: staff accounts, sessions and saved form drafts. No case data.
    data_dir: Path = Field(
        Path(".data"), validation_alias=AliasChoices("MASH_CONSOLE_DATA_DIR", "MASH_DATA_DIR")
    )
    database_url: str | None = None
    # Signs the staff tokens every service verifies (the services hold the public key).
    token_private_key: SecretStr = SecretStr(DEV_TOKEN_PRIVATE_KEY)
    # Seals form drafts kept across a session timeout (they can hold a child's details).
    data_key: SecretStr = Field(
        SecretStr(DEV_DATA_KEY),
        validation_alias=AliasChoices("MASH_CONSOLE_DATA_KEY", "MASH_DATA_KEY"),
    )
    session_idle_minutes: int = Field(30, ge=1, description="Signed out after this long idle")
    session_max_hours: int = Field(10, ge=1, description="Signed out this long after sign-in")
    cookie_secure: bool | None = Field(
        None, description="Secure cookies; default on in production, off on plain-HTTP dev"
    )
    queue_refresh_s: int = Field(10, ge=1, description="How often the dashboard refreshes")

    @model_validator(mode="after")
    def _refuse_dev_secrets(self) -> ConsoleSettings:
        if self.env == "production":
            if self.token_private_key.get_secret_value() == DEV_TOKEN_PRIVATE_KEY:
                raise ValueError("MASH_CONSOLE_TOKEN_PRIVATE_KEY is the development key; "
                                 "run `mash-token --new-key-pair`")
            if self.data_key.get_secret_value() == DEV_DATA_KEY:
                raise ValueError("MASH_CONSOLE_DATA_KEY is the development key")
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.env == "production" if self.cookie_secure is None else self.cookie_secure

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir.resolve()}/console.db"

    def service_urls(self) -> dict[str, str]:
        """Each stage's base URL, in the order of the journey."""
        return {
            "intake": self.intake_url.rstrip("/"),
            "triage": self.triage_url.rstrip("/"),
            "agency-gateway": self.agency_gateway_url.rstrip("/"),
            "decision": self.decision_url.rstrip("/"),
            "feedback": self.feedback_url.rstrip("/"),
        }
