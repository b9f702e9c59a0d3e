"""E-mail over SMTP: plain text, STARTTLS (default), implicit TLS or none, optional login."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import ClassVar, Literal

from ghtraffic.notifications.base import Message, Transport, TransportError

Security = Literal["starttls", "ssl", "none"]


def email_message(message: Message, sender: str, recipients: Sequence[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    body = message.text + (f"\n\n{message.link}" if message.link else "")
    mail.set_content(body + "\n")
    return mail


class EmailTransport(Transport):
    channel: ClassVar[str] = "email"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: Sequence[str],
        *,
        security: Security = "starttls",
        user: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._recipients = tuple(recipients)
        self._security = security
        self._user = user
        self._password = password
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"EmailTransport(host={self._host!r}, port={self._port}, password=***)"

    def secrets(self) -> tuple[str, ...]:
        return (self._password,) if self._password else ()

    def _connect(self) -> smtplib.SMTP:
        if self._security == "ssl":
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=context)
        smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        if self._security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def send(self, message: Message) -> None:
        mail = email_message(message, self._sender, self._recipients)
        where = f"email via {self._host}:{self._port}"
        try:
            with self._connect() as smtp:
                if self._user:
                    smtp.login(self._user, self._password or "")
                smtp.send_message(mail, from_addr=self._sender, to_addrs=list(self._recipients))
        except smtplib.SMTPAuthenticationError as exc:
            raise TransportError(
                f"{where}: login refused (SMTP {exc.smtp_code})", transient=False
            ) from None
        except smtplib.SMTPRecipientsRefused:
            raise TransportError(f"{where}: recipients refused", transient=False) from None
        except smtplib.SMTPResponseException as exc:
            transient = 400 <= exc.smtp_code < 500
            raise TransportError(f"{where}: SMTP {exc.smtp_code}", transient=transient) from None
        except smtplib.SMTPNotSupportedError:
            raise TransportError(
                f"{where}: the server does not offer STARTTLS", transient=False
            ) from None
        except smtplib.SMTPException as exc:
            raise TransportError(f"{where}: {type(exc).__name__}") from None
        except ssl.SSLError as exc:
            raise TransportError(
                f"{where}: TLS failed ({exc.reason or 'error'})", transient=False
            ) from None
        except (TimeoutError, OSError) as exc:
            what = exc.strerror if isinstance(exc, OSError) and exc.strerror else "timed out"
            raise TransportError(f"{where}: connection failed ({what})") from None
