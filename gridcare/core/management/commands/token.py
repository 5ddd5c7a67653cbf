"""`gridcare token USERNAME`: print (creating if needed) the API token of that user."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "打印用户的 API 令牌（不存在则创建）"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no such user: {username}")
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
