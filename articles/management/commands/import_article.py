"""Import wire copy: plain-text stories in the seed's format, one file a story."""

import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError
from django.utils import timezone

from articles import importing
from articles.importing import FAILED, SKIPPED
from articles.models import Section


class Command(BaseCommand):
    help = (
        "Import wire copy: plain-text files in the seed's format (line 1 the dateline, line 2 the "
        "reporter's name, line 3 their email, then one paragraph a line). A PATH may be a folder: "
        "every .txt file in it is imported (hidden files are left out). Symbolic links are "
        "refused, in a folder or named directly: pass the real path of the file. Each file is "
        "imported in its own transaction; a file that cannot be read is reported with its line "
        "and nothing from it is saved. Stories are drafts unless --publish is given. Copy imported before is "
        "skipped. --embargo holds the stories until a time: with --publish and an embargo still "
        "to come, the story is scheduled for the embargo's time (the summary says so) rather "
        "than published now. Exits with status 1 if any file failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="A .txt file or a folder.")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the story now instead of saving a draft (an editor's decision). Needs "
            "--headline, so only one file can be published at a time.",
        )
        parser.add_argument(
            "--headline",
            help="The story's headline, when importing one file. Without it the headline is the "
            "first sentence, flagged in the admin as needing an editor's headline.",
        )
        parser.add_argument(
            "--allow-duplicate",
            action="store_true",
            help="Import copy again even if the same text was imported before.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and check every file and say what would be created; save nothing.",
        )
        parser.add_argument(
            "--section",
            metavar="SLUG",
            help="The section for the stories (default: the first section in the navigation).",
        )
        parser.add_argument(
            "--embargo",
            metavar="'YYYY-MM-DD HH:MM'",
            help="Hold the stories until this time, in the newsroom's time zone (TIME_ZONE): "
            "until then nobody can publish them, schedule them earlier or share a preview link. "
            "With --publish, a story whose embargo is still to come is scheduled for that time.",
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Record the stories as imported by this account; its permissions then apply.",
        )

    def handle(self, *args, paths, publish, headline, allow_duplicate, dry_run, **options):
        files = self._files(paths)
        if headline is not None and len(files) != 1:
            raise CommandError(
                f"--headline is for one file; {len(files)} files were given. Import them without "
                "it: each gets a provisional headline, flagged for an editor."
            )
        if publish and not headline:
            raise CommandError(
                "--publish needs --headline: a story goes live only with an editor's headline. "
                "Without --publish the story is saved as a draft with a provisional headline."
            )
        section = self._section(options["section"])
        user = self._user(options["user"])
        embargo_until = self._embargo(options["embargo"])

        total = len(files)
        width = len(str(total))
        counter = iter(range(1, total + 1))

        def progress(result):
            line = f"[{next(counter):>{width}}/{total}] {result.describe()}"
            if result.outcome == FAILED:
                self.stdout.write(self.style.ERROR(line))
            elif result.outcome == SKIPPED:
                self.stdout.write(self.style.WARNING(line))
            else:
                self.stdout.write(line)

        results = importing.import_files(
            self._read(files),
            progress=progress,
            user=user,
            publish=publish,
            headline=headline,
            allow_duplicate=allow_duplicate,
            dry_run=dry_run,
            section=section,
            embargo_until=embargo_until,
        )
        text = importing.summary(results, dry_run=dry_run)
        if any(result.outcome == SKIPPED for result in results) and not allow_duplicate:
            self.stdout.write(
                "Copy imported before is skipped; --allow-duplicate imports it again."
            )
        failures = sum(result.outcome == FAILED for result in results)
        if failures:
            raise CommandError(text)
        self.stdout.write(self.style.SUCCESS(text))

    def _files(self, paths) -> list[tuple[Path, Path | None]]:
        try:
            return importing.files_to_read(paths, suffix=".txt")
        except importing.ImportRefused as refusal:
            raise CommandError(str(refusal)) from None

    def _read(self, files):
        for path, folder in files:
            yield str(path), importing.read_source(path, folder)

    def _section(self, slug):
        if slug is None:
            if importing.default_section() is None:
                raise CommandError("There is no section yet: add one in the admin first.")
            return None
        try:
            return Section.objects.get(slug=slug)
        except Section.DoesNotExist:
            known = ", ".join(Section.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No section “{slug}”. Sections: {known}.") from None

    def _embargo(self, value) -> dt.datetime | None:
        """``--embargo``'s time, read in the newsroom's time zone."""
        if value is None:
            return None
        try:
            naive = dt.datetime.strptime(" ".join(value.split()), "%Y-%m-%d %H:%M")
        except ValueError:
            raise CommandError(
                f"--embargo “{value}” is not a time: write it as YYYY-MM-DD HH:MM (e.g. "
                f"“2026-12-05 09:00”), in the newsroom's time zone "
                f"({timezone.get_default_timezone_name()})."
            ) from None
        return timezone.make_aware(naive, timezone.get_default_timezone())

    def _user(self, username):
        if username is None:
            return None
        User = get_user_model()
        try:
            return User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No account “{username}”.") from None
