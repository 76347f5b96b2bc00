"""Dependencies: settings, the assistant, the feedback store."""
from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from ..config import Settings
from ..feedback_store import FeedbackStore
from .holder import AssistantHolder


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> FeedbackStore:
    return request.app.state.store


async def get_assistant(request: Request):
    holder: AssistantHolder = request.app.state.holder
    if holder.loaded:
        return holder.get()
    return await run_in_threadpool(holder.get)
