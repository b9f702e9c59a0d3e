"""The e-mail (SMTP) channel."""
