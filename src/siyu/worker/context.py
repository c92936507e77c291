"""What a task needs besides the database: the secret key and a WeCom client per corp."""

from __future__ import annotations

from siyu.core.settings import get_settings
from siyu.corps import service as corps
from siyu.corps.models import Corp
from siyu.wecom.client import WeComClient


def secret_key() -> str:
    return get_settings().secret_key.get_secret_value()


def client_for(corp: Corp) -> WeComClient:
    return corps.wecom_client(corp, secret_key=secret_key())
