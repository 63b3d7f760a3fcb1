"""Area alerts in CAP 1.2: drafting, approval, feeds, subscriptions and delivery."""
