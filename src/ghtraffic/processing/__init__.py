"""Processing after collection: roll-ups, spike events, notifications and the change feed."""

from ghtraffic.processing.config import ProcessingSettings, parse_processing_settings
from ghtraffic.processing.feed import Change, changes_since, latest_change_id
from ghtraffic.processing.processor import ProcessingResult, Processor

__all__ = [
    "Change",
    "ProcessingResult",
    "ProcessingSettings",
    "Processor",
    "changes_since",
    "latest_change_id",
    "parse_processing_settings",
]
