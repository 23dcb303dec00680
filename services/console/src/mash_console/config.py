"""The console's settings: MASH_CONSOLE_<FIELD>, e.g. MASH_CONSOLE_INTAKE_URL."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MASH_CONSOLE_", extra="ignore")

    http_host: str = "127.0.0.1"
    http_port: int = 8000
    intake_url: str = "http://127.0.0.1:8001"
    triage_url: str = "http://127.0.0.1:8002"
    agency_gateway_url: str = "http://127.0.0.1:8003"
    decision_url: str = "http://127.0.0.1:8004"
    feedback_url: str = "http://127.0.0.1:8005"
    probe_timeout_s: float = Field(1.0, gt=0, description="How long to wait for a /readyz")
    log_level: str = "INFO"

    def service_urls(self) -> dict[str, str]:
        """Each stage's base URL, in the order of the journey."""
        return {
            "intake": self.intake_url.rstrip("/"),
            "triage": self.triage_url.rstrip("/"),
            "agency-gateway": self.agency_gateway_url.rstrip("/"),
            "decision": self.decision_url.rstrip("/"),
            "feedback": self.feedback_url.rstrip("/"),
        }
