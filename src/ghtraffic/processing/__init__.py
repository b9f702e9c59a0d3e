"""Processing after collection: roll-ups, spike events, notifications and the change feed."""

from ghtraffic.processing.config import ProcessingSettings, parse_processing_settings
from ghtraffic.processing.feed import Change, changes_since, latest_change_id
from ghtraffic.processing.processor import ProcessingResult, Processor
from ghtraffic.processing.reads import EventRow, RollupPoint, events, rollup_series

__all__ = [
    "Change",
    "EventRow",
    "ProcessingResult",
    "ProcessingSettings",
    "Processor",
    "RollupPoint",
    "changes_since",
    "events",
    "latest_change_id",
    "parse_processing_settings",
    "rollup_series",
]
