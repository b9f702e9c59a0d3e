"""A new RSA key pair for a GitHub App in tests: the private key for ghtraffic, the public
one for the fake GitHub, both as PEM text."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def new_app_keys(
    private_format: serialization.PrivateFormat = serialization.PrivateFormat.PKCS8,
) -> tuple[str, str]:
    """``(private PEM, public PEM)`` of a new 2048-bit RSA key; the private key in
    ``private_format`` (PKCS#8 by default, ``TraditionalOpenSSL`` for PKCS#1 as GitHub
    hands it out)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, private_format, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public.decode()
