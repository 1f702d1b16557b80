"""Full screens of the app (the insight views)."""
