"""Make a fresh local site usable: the seed story and an Editor's account, without clobbering edits."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import BaseCommand, call_command
from django.db import transaction

from articles.models import Article

SEED_FIXTURE = "qianhai-forum"
SEED_SLUG = "qianhai-forum-draws-1200-representatives"


class Command(BaseCommand):
    help = (
        "Load the seed story if it is not there yet and create a local editor account with a "
        "generated password, printed once. Safe to run again: existing stories and accounts are "
        "left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor", help="The editor account's login name.")
        parser.add_argument(
            "--address",
            default="127.0.0.1:8000",
            help="Where the site is served (host:port), for the login address printed at the end.",
        )

    def handle(self, *args, username, address, **options):
        if Article.objects.filter(slug=SEED_SLUG).exists():
            self.stdout.write("The seed story is already here; left as it is.")
        else:
            call_command("loaddata", SEED_FIXTURE, verbosity=0)
            self.stdout.write(self.style.SUCCESS("Loaded the seed story, its reporter and people."))

        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f"The editor account “{username}” already exists; password unchanged."
            )
            return
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            # An editor, not a superuser: the desk shows what an editor has, and accounts and
            # roles are an administrator's (manage.py createsuperuser, README).
            editor = User.objects.create_user(
                username=username, email="", password=password, is_staff=True
            )
            editor.groups.add(Group.objects.get(name="Editor"))
        self.stdout.write(
            self.style.SUCCESS(f"Created the editor account “{username}”.")
            + f"\n  Log in at http://{address}/admin/ as {username} with password: {password}"
            + "\n  The password is shown only this once; change it in the admin if you lose it "
            "(python manage.py changepassword "
            + username
            + ")."
            + "\n  It is an Editor's account. To manage accounts and roles, make an administrator: "
            "python manage.py createsuperuser"
        )
