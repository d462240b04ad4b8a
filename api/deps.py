"""Typed dependencies: the services loaded once at start-up, and the app's metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.observability import Metrics
from rag.services import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


MetricsDep = Annotated[Metrics, Depends(get_metrics)]
