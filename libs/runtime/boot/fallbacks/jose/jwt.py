"""jose.jwt over PyJWT: the same signatures and exceptions generated code relies on."""
import jwt as _pyjwt

from .exceptions import ExpiredSignatureError, JWTClaimsError, JWTError


def encode(claims, key, algorithm="HS256", headers=None, access_token=None):
    token = _pyjwt.encode(dict(claims), key, algorithm=algorithm, headers=headers)
    return token.decode("ascii") if isinstance(token, bytes) else token


def decode(token, key, algorithms=None, options=None, audience=None, issuer=None, subject=None, access_token=None):
    if isinstance(algorithms, str):
        algorithms = [algorithms]
    opts = dict(options or {})
    verify = opts.pop("verify_signature", True)
    pyjwt_options = {"verify_signature": verify}
    for name in ("verify_exp", "verify_aud", "verify_iat", "verify_nbf", "verify_iss", "verify_sub"):
        if name in opts:
            pyjwt_options[name] = opts[name]
    if audience is None and "verify_aud" not in pyjwt_options:
        pyjwt_options["verify_aud"] = False
    try:
        claims = _pyjwt.decode(token, key, algorithms=algorithms or ["HS256"], options=pyjwt_options, audience=audience, issuer=issuer)
    except _pyjwt.ExpiredSignatureError as e:
        raise ExpiredSignatureError(str(e)) from e
    except (_pyjwt.InvalidAudienceError, _pyjwt.InvalidIssuerError, _pyjwt.MissingRequiredClaimError) as e:
        raise JWTClaimsError(str(e)) from e
    except _pyjwt.PyJWTError as e:
        raise JWTError(str(e)) from e
    if subject is not None and claims.get("sub") != subject:
        raise JWTClaimsError("Invalid subject")
    return claims


def get_unverified_claims(token):
    try:
        return _pyjwt.decode(token, options={"verify_signature": False})
    except _pyjwt.PyJWTError as e:
        raise JWTError(str(e)) from e


def get_unverified_header(token):
    try:
        return _pyjwt.get_unverified_header(token)
    except _pyjwt.PyJWTError as e:
        raise JWTError(str(e)) from e
