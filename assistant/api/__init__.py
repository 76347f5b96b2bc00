"""The HTTP surface: FastAPI app factory, routers, auth, rate limits, the chat UI mount."""
from .app import create_app

__all__ = ["create_app"]
