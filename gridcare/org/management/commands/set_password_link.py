"""`gridcare set_password_link USERNAME [USERNAME ...]`: a fresh one-time set-password link.

For a link that expired or got lost (imported staff get theirs from `gridcare import staff`):
e-mailed when e-mail is configured and the user has an address, else printed.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gridcare.org.invitations import deliver_set_password_links, set_password_link


class Command(BaseCommand):
    help = "print (or e-mail) a one-time set-password link for each user"

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="+")

    def handle(self, *args, usernames, **options):
        users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
        missing = [name for name in usernames if name not in users]
        if missing:
            raise CommandError(f"no such user: {', '.join(missing)}")
        for line in deliver_set_password_links([set_password_link(users[name]) for name in usernames]):
            self.stdout.write(line)
