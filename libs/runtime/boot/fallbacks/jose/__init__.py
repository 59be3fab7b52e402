"""A stand-in for python-jose, used only when no real `jose` is installed.

Debian trixie has no python3-jose (python-jose is unmaintained), yet generated FastAPI backends
import it for JWT auth more than anything else. This covers what they use (jose.jwt.encode /
decode / get_unverified_claims, JWTError, ExpiredSignatureError, JWTClaimsError) over PyJWT and
cryptography, which the image carries. The boot program puts this directory LAST on sys.path, so a
real python-jose (installed from requirements.txt) always wins.
"""
from .exceptions import ExpiredSignatureError, JOSEError, JWTClaimsError, JWTError

__all__ = ["ExpiredSignatureError", "JOSEError", "JWTClaimsError", "JWTError", "jwt"]
__version__ = "3.3.0+pyjwt-shim"

from . import jwt  # noqa: E402
