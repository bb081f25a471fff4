"""One id for everything a request causes: its log lines, and the Celery tasks it queues and theirs.

The web server takes the id from the proxy's `X-Request-ID` header when it looks like one (so the
load balancer's access log and ours agree), else makes one, and answers with it. Celery carries
it in each task message's headers (`before_task_publish`); the worker sets it while the task runs
(`task_prerun`/`task_postrun`), so a task's log lines, and the tasks it queues, carry it too.
Every log record made meanwhile carries it (a record factory, below), and
`core.logging.JsonFormatter` writes it into the line as `request_id`.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar, Token
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.core.signals import request_finished
from django.dispatch import receiver

logger = logging.getLogger(__name__)
HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_current: ContextVar[str] = ContextVar("request_id", default="")
_task_tokens: dict[str, Token[str]] = {}


def current() -> str:
    """The id of the request or task running now ("" when neither)."""
    return _current.get()


def new_id() -> str:
    return uuid.uuid4().hex


def accepted(value: str | None) -> str:
    """`value` when it is a plausible id from the proxy, else a new one."""
    return value if value and _VALID.match(value) else new_id()


def set_current(value: str) -> Token[str]:
    return _current.set(value)


def reset(token: Token[str]) -> None:
    _current.reset(token)


_base_record_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Every log record made while a request or task runs carries its id (`record.request_id`)."""
    record = _base_record_factory(*args, **kwargs)
    if value := current():
        record.request_id = value
    return record


logging.setLogRecordFactory(_record_with_request_id)


@receiver(request_finished)
def _clear_after_request(**kwargs: Any) -> None:
    _current.set("")


@before_task_publish.connect
def _add_to_task_message(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if headers is not None and (value := current()):
        headers.setdefault("request_id", value)


@task_prerun.connect
def _set_for_task(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    value = getattr(getattr(task, "request", None), "request_id", None) or ""
    # Run in the queuing process (eager, the tests) it keeps the id there; a task queued by no
    # request (beat, a command) gets its own id: its task id.
    _task_tokens[task_id] = set_current(accepted(value) if value else current() or task_id or new_id())
    logger.info("task started", extra={"task_name": getattr(task, "name", ""), "task_id": task_id})


@task_postrun.connect
def _clear_for_task(task_id: str = "", task: Any = None, state: str | None = None, **kwargs: Any) -> None:
    # Celery's own "received" and "succeeded" lines are written outside the task: these two carry the id.
    logger.info("task finished", extra={"task_name": getattr(task, "name", ""), "task_id": task_id, "state": state})
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        try:
            reset(token)
        except ValueError:  # set in another context (eager tasks in threads): just clear it
            _current.set("")
