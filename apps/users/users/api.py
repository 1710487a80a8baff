"""The users API: sign up, update, log in, and the token check the other services call."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, request
from spectree import Response as Documented
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from service_core import db
from service_core.app import settings
from service_core.auth import EXPIRY_HEADER
from service_core.bearer import INVALID_TOKEN, bearer_token
from service_core.crud import get_or_404
from service_core.errors import ApiError
from service_core.ids import iso, utcnow
from service_core.responses import Created, as_json
from service_core.validation import BEARER, Message, validated
from users import credentials
from users.models import User
from users.schemas import Credentials, Me, NewUser, Session, UserUpdate
from users.spec import spec

api = Blueprint("users", __name__, url_prefix="/users")
TAGS = ["users"]

# `GET /users/me`, the token check of routes, posts and offers: built once, its values bound per call.
TOKEN_OWNER = select(User).where(User.token_hash == bindparam("digest"), User.expire_at > bindparam("now"))

TAKEN = "El nombre de usuario o el correo ya está registrado"
UPDATED = "el usuario ha sido actualizado"
NOTHING_TO_UPDATE = "Indique al menos uno de: status, dni, fullName, phoneNumber"
UNKNOWN_USER = "El usuario no existe"
BAD_LOGIN = "Usuario o contraseña incorrectos"


@api.post("")
@validated(spec, json=NewUser, resp=Documented(HTTP_201=Created, HTTP_400=Message, HTTP_412=Message), tags=TAGS)
def create_user():
    """Sign up. The password is stored only as a salted argon2id hash."""
    body: NewUser = request.context.json
    session = db.session()
    taken = select(User.id).where((User.username == body.username) | (User.email == body.email))
    if session.scalar(taken.limit(1)) is not None:
        raise ApiError(412, TAKEN)
    user = User(
        username=body.username,
        email=body.email,
        password_hash=credentials.hash_password(body.password),
        dni=body.dni,
        full_name=body.fullName,
        phone_number=body.phoneNumber,
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError:  # a concurrent sign-up won the unique index
        session.rollback()
        raise ApiError(412, TAKEN) from None
    return as_json(Created, user), 201


@api.patch("/<uuid:user_id>")
@validated(spec, json=UserUpdate, resp=Documented(HTTP_200=Message, HTTP_400=Message, HTTP_404=Message), tags=TAGS)
def update_user(user_id: str):
    """Update any of status, dni, fullName, phoneNumber (public, no token)."""
    body: UserUpdate = request.context.json
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise ApiError(400, NOTHING_TO_UPDATE)
    user = get_or_404(User, user_id, UNKNOWN_USER)
    columns = {"status": "status", "dni": "dni", "fullName": "full_name", "phoneNumber": "phone_number"}
    for field, value in changes.items():
        setattr(user, columns[field], value)
    db.session().commit()
    return {"msg": UPDATED}


@api.post("/auth")
@validated(spec, json=Credentials, resp=Documented(HTTP_200=Session, HTTP_400=Message, HTTP_404=Message), tags=TAGS)
def log_in():
    """A fresh token per call, valid for TOKEN_TTL_SECONDS; it replaces the previous one."""
    body: Credentials = request.context.json
    session = db.session()
    user = session.scalar(select(User).where(User.username == body.username))
    if not credentials.verify_password(user.password_hash if user else None, body.password):
        raise ApiError(404, BAD_LOGIN)
    if upgraded := credentials.upgraded_hash(user.password_hash, body.password):
        user.password_hash = upgraded  # made with older argon2 parameters: stored anew with the current ones
    token = credentials.new_token()
    user.token_hash = credentials.token_digest(token)
    user.last_login_at = utcnow()
    user.expire_at = user.last_login_at + timedelta(seconds=settings().token_ttl_seconds)
    session.commit()
    return as_json(Session, {"id": user.id, "token": token, "expire_at": user.expire_at})


@api.get("/me")
@validated(spec, resp=Documented(HTTP_200=Me, HTTP_401=Message, HTTP_403=Message), tags=TAGS, security=BEARER)
def me():
    """The token's user. The expiry comes back in the X-Token-Expires-At header."""
    digest = credentials.token_digest(bearer_token())
    user = db.first(TOKEN_OWNER, {"digest": digest, "now": utcnow()})
    if user is None:
        raise ApiError(401, INVALID_TOKEN)
    return as_json(Me, user), 200, {EXPIRY_HEADER: iso(user.expire_at)}
