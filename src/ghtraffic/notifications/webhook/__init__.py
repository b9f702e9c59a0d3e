"""The generic JSON webhook channel."""
