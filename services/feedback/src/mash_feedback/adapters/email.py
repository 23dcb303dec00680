"""Email over SMTP (stdlib smtplib, in a thread so the event loop keeps running)."""

from __future__ import annotations

import asyncio
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    body: str
    message_id: str  # stable per delivery: a retried send is recognisably the same email
    reference: str


class EmailSender(Protocol):
    """Sends one email or raises; what it raises is recorded by its class name only."""

    async def send(self, email: OutgoingEmail) -> None: ...


class SmtpSender:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout_s: float = 15.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.starttls = starttls
        self.username = username
        self.password = password
        self.timeout_s = timeout_s

    async def send(self, email: OutgoingEmail) -> None:
        await asyncio.to_thread(self._send, email)

    def _send(self, email: OutgoingEmail) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Message-ID"] = email.message_id
        message["X-MASH-Reference"] = email.reference
        message.set_content(email.body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def describe_failure(exc: BaseException) -> str:
    """What to record about a failed send: the error's kind and SMTP code, never its text
    (a refusal quotes the address)."""
    code = getattr(exc, "smtp_code", None)
    return f"{type(exc).__name__}" + (f" (SMTP {code})" if code else "")
