"""The Slack-compatible incoming-webhook channel."""
