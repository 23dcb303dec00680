from typing import ClassVar

from pydantic import SecretStr

from mash_common.settings import ServiceSettings


class FeedbackSettings(ServiceSettings):
    service: ClassVar[str] = "feedback"
    default_port: ClassVar[int] = 8005

    # Email to referrers. No host: the outcome is recorded to be read, not emailed.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "MASH <mash@localhost>"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_s: float = 15.0
    # Retries: first after this long, doubling up to the longest wait, then given up (failed).
    email_retry_first_s: float = 30.0
    email_retry_longest_s: float = 3600.0
    email_max_attempts: int = 10
    # A copy that took an email and died: another may take it after this long.
    email_lease_s: float = 120.0

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host)
