"""Photo benchmark: upload checks and rendition time per picture size, and the memory peak of the
largest upload the settings allow.

    .venv/bin/python bench/photos_bench.py           # every size (about a minute on 2 cores)
    .venv/bin/python bench/photos_bench.py --quick   # skip the two largest sizes

No database is used; files go to a temporary MEDIA_ROOT that is removed at the end. The pictures
are synthetic JPEGs with photographic detail (gradients, texture and grain), so they compress and
decode like camera pictures rather than like flat colour. Each memory figure is the peak resident
size of a fresh child process that does only that one upload: the check, the re-encoding, storing
it and making every rendition.
"""

import argparse
import contextlib
import io
import json
import math
import os
import platform
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(media_root):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DEBUG", "1")
    os.environ["MEDIA_ROOT"] = str(media_root)
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    import django

    django.setup()


def photo_jpeg(width, height, max_bytes):
    """A photograph-like JPEG of ``width`` x ``height``, re-encoded smaller if over ``max_bytes``."""
    from PIL import Image

    def channel(seed_angle):
        gradient = Image.linear_gradient("L").rotate(seed_angle).resize((width, height))
        blobs = Image.effect_noise((max(1, width // 64), max(1, height // 64)), 70)
        blobs = blobs.resize((width, height), Image.Resampling.BICUBIC)
        texture = Image.effect_noise((max(1, width // 4), max(1, height // 4)), 50)
        texture = texture.resize((width, height), Image.Resampling.BILINEAR)
        # Sensor grain: what makes a camera JPEG 0.3 to 0.5 bytes a pixel at quality 90.
        grain = Image.effect_noise((width, height), 60)
        return Image.blend(Image.blend(Image.blend(gradient, blobs, 0.5), texture, 0.3), grain, 0.2)

    image = Image.merge("RGB", (channel(0), channel(90), channel(45)))
    for quality in (90, 85, 80, 75, 70):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if out.tell() <= max_bytes:
            return out.getvalue(), quality
    return out.getvalue(), quality


def png_bomb(width, height):
    """A PNG whose header says ``width`` x ``height`` (1 bit a pixel, all zero): small on disk."""
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind, body=b""):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND")


def process(data, pk, name="bench.jpg"):
    """One upload end to end: check and re-encode, store, make every rendition. Returns timings."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from photos import renditions
    from photos.models import Image as LibraryImage
    from photos.validation import clean_bytes

    started = time.perf_counter()
    cleaned = clean_bytes(data, name=name)
    checked = time.perf_counter()
    stored_name = default_storage.save(
        f"images/bench/{pk}-{cleaned.name}", ContentFile(cleaned.data)
    )
    image = LibraryImage(pk=pk, alt_text="bench", width=cleaned.width, height=cleaned.height)
    image.file.name = stored_name
    stored = time.perf_counter()
    made = renditions.generate_renditions(image)
    rendered = time.perf_counter()
    again = renditions.generate_renditions(image)
    cached = time.perf_counter()
    for _ in range(1000):
        renditions.srcset(image)
        renditions.srcset(image, fmt="WEBP")
    page = (time.perf_counter() - cached) / 1000
    output = sum(default_storage.size(r.name) for r in made)
    return {
        "check": checked - started,
        "store": stored - checked,
        "render": rendered - stored,
        "renditions": len(made),
        "output_bytes": output,
        "again": cached - rendered,
        "again_made": len(again),
        "page": page,
    }


def resident_peak_kb():
    """The process's peak resident size so far (VmHWM), in kB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def reset_resident_peak():
    """Start the peak again from the current size. Linux carries a forked parent's peak into the
    child (even across exec); writing 5 to clear_refs resets it (Linux 4.0 and later)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def child(path, pk):
    """Run in a fresh process: report the peak resident size before and after one upload."""
    with tempfile.TemporaryDirectory() as media_root:
        setup_django(media_root)
        from django.core.exceptions import ValidationError

        import photos.renditions  # noqa: F401  (imported before the baseline is taken)
        import photos.validation  # noqa: F401

        data = Path(path).read_bytes()
        reset_resident_peak()
        before = resident_peak_kb()
        try:
            result = process(data, pk)
        except ValidationError as error:
            result = {"refused": error.code}
        after = resident_peak_kb()
        print(json.dumps({"before_kb": before, "after_kb": after, **result}))


def measure_in_child(data, pk):
    with tempfile.NamedTemporaryFile(suffix=".img") as handle:
        handle.write(data)
        handle.flush()
        output = subprocess.run(
            [sys.executable, __file__, "--child", handle.name, str(pk)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return json.loads(output.strip().splitlines()[-1])


def machine():
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from PIL import __version__ as pillow
    from PIL import features

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{model}, {os.cpu_count()} cores, load average {load}; Python "
        f"{platform.python_version()}, Pillow {pillow} (libjpeg-turbo "
        f"{features.version('libjpeg_turbo')}, libwebp {features.version('webp')})"
    )


def size_table(sizes, largest, max_bytes, repeat):
    """The upload check and renditions per picture size; returns the largest size's upload."""
    print()
    print(
        f"Upload check and renditions per picture size (wall-clock; fastest of {repeat} "
        "runs, as other work on the machine only slows a run down)"
    )
    header = (
        f"{'picture':>13} {'Mpx':>5} {'upload (JPEG)':>13} {'check+re-encode':>12} {'renditions':>10} "
        f"{'make all':>9} {'per rendition':>13} {'output':>9} {'2nd call':>9} {'srcset':>8}"
    )
    print(header)
    print("-" * len(header))
    largest_data = None
    for pk, (width, height) in enumerate(sizes, start=1):
        data, quality = photo_jpeg(width, height, max_bytes)
        if (width, height) == largest:
            largest_data = data
        runs = [process(data, pk * 100 + run) for run in range(max(1, repeat))]
        result = min(runs, key=lambda run: run["check"] + run["render"])
        print(
            f"{width:>6} x {height:<5} {width * height / 1e6:>5.1f} "
            f"{len(data) / 1e6:>5.1f} MB q{quality} {result['check']:>11.2f}s "
            f"{result['renditions']:>10} "
            f"{result['render']:>8.2f}s {result['render'] / result['renditions'] * 1000:>10.0f} ms "
            f"{result['output_bytes'] / 1e6:>6.1f} MB {result['again'] * 1000:>6.1f} ms "
            f"{result['page'] * 1e6:>5.0f} µs"
        )
        assert result["again_made"] == 0
    print(
        "(upload: JPEG quality 90 unless it had to be lower to fit the byte limit; check: "
        "container walk, verify, full decode, EXIF orientation, metadata strip, re-encode; "
        "2nd call: "
        "generate_renditions again, which finds every rendition present and does no image "
        "work; srcset: computing one page's srcset pair, no query, no storage access)"
    )
    return largest_data


def memory_peaks(largest, largest_data):
    """The memory peak of the largest allowed upload and of a PNG bomb, each in a fresh process."""
    print()
    print("Memory peak of one upload in a fresh process (resident set size)")
    result = measure_in_child(largest_data, pk=20_000)
    print(
        f"  largest allowed upload, {largest[0]} x {largest[1]} "
        f"({largest[0] * largest[1] / 1e6:.1f} Mpx, {len(largest_data) / 1e6:.1f} MB): "
        f"peak {result['after_kb'] / 1024:.0f} MB, of which this upload "
        f"{(result['after_kb'] - result['before_kb']) / 1024:.0f} MB "
        f"(Django and Pillow loaded, before it: {result['before_kb'] / 1024:.0f} MB); "
        f"check {result['check']:.2f}s, renditions {result['render']:.2f}s"
    )
    bomb = png_bomb(20_000, 20_000)
    result = measure_in_child(bomb, pk=20_001)
    print(
        f"  20,000 x 20,000 PNG bomb ({len(bomb) / 1e3:.0f} kB, refused: "
        f"{result['refused']}): peak {result['after_kb'] / 1024:.0f} MB, of which this "
        f"upload {(result['after_kb'] - result['before_kb']) / 1024:.0f} MB"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the two largest sizes")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per size; the fastest is shown (default 3)"
    )
    parser.add_argument("--child", nargs=2, metavar=("PATH", "PK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return

    with tempfile.TemporaryDirectory() as media_root:
        setup_django(media_root)
        from django.conf import settings

        from photos import renditions

        max_pixels, max_bytes = settings.PHOTO_MAX_PIXELS, settings.PHOTO_MAX_UPLOAD_BYTES
        largest_width = int(math.sqrt(max_pixels * 3 / 2))
        largest = (largest_width, int(largest_width * 2 / 3))
        sizes = [(1280, 853), (2048, 1365), (4000, 2667), (6000, 4000), largest]
        if args.quick:
            sizes = sizes[:3]

        print(f"Machine: {machine()}")
        print(
            f"Settings: PHOTO_MAX_UPLOAD_BYTES={max_bytes:,}, PHOTO_MAX_PIXELS={max_pixels:,}, "
            f"widths {renditions.configured_widths()}, crops {renditions.crop_ratios()}, "
            "WebP + original format"
        )
        process(photo_jpeg(64, 48, max_bytes)[0], pk=10_000)  # load the codecs before timing
        largest_data = size_table(sizes, largest, max_bytes, args.repeat)
        if largest_data is not None:
            memory_peaks(largest, largest_data)


if __name__ == "__main__":
    main()
