"""The site: home, sign-in, audit log and data import pages (the top floor)."""
