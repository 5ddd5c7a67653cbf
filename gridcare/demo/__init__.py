"""The demo utility: a deterministic, realistic city supply company (an installed app on the top floor)."""
