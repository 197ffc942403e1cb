"""``manage.py ingest PATH...``: agency files into the wire queue."""

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from articles import importing
from wire import formats, services

SHOWN_FORMATS = (
    "ninjs 1.x, 2.x and 3.x (JSON), NewsML-G2 (XML, with an XHTML or NITF body) and the "
    "newsroom's plain-text copy"
)


class Command(BaseCommand):
    help = (
        f"Take agency files into the wire queue: {SHOWN_FORMATS}; the format is read from the "
        "file, not its name. A PATH may be a folder: every file in it is read (hidden files are "
        "left out; symbolic links are refused). Each file is taken whole in its own transaction "
        "or, if anything in it is refused, not at all, with the place and the reason; the other "
        "files go on. A newer version of a queued item replaces it; the same or an older one is "
        "skipped. Exits with status 1 if any file was refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="A file or a folder.")
        parser.add_argument(
            "--provider",
            default="",
            help="The agency, for items that do not name one (ninjs 1.x has no provider field).",
        )

    def handle(self, *args, paths, provider, **options):
        files = self._files(paths)
        total = len(files)
        width = len(str(total))
        counter = iter(range(1, total + 1))

        def progress(result: services.FileResult) -> None:
            line = f"[{next(counter):>{width}}/{total}] {result.describe()}"
            self.stdout.write(self.style.ERROR(line) if not result.ok else line)

        sources = (
            (str(path), importing.read_source(path, folder, limit=formats.MAX_FILE_BYTES))
            for path, folder in files
        )
        results = services.ingest_sources(sources, provider=provider, progress=progress)
        text = services.summary(results)
        if any(not result.ok for result in results):
            raise CommandError(text)
        self.stdout.write(self.style.SUCCESS(text))

    def _files(self, paths) -> list[tuple[Path, Path | None]]:
        try:
            return importing.files_to_read(paths)
        except importing.ImportRefused as refusal:
            raise CommandError(str(refusal)) from None
