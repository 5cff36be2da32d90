"""Photos: planned as responsive variants, processed once (cached), published without metadata.

Phone photos carry GPS coordinates, camera serial numbers and comments that can reveal where a
client or a volunteer lives. Every raster image katsudo publishes is therefore re-encoded from
its pixels alone (EXIF orientation applied first), never copied: no EXIF, GPS, XMP, IPTC, maker
notes or JPEG comment survives, unless site.yaml says `images: {keep_metadata: true}`.

Two halves:
- planning (pure): `ImageCatalog` probes a source once (size, content hash), names its variants
  (`photo-3f2a9c1b-960.webp`: short content hash + width, beside the image's own output path)
  and remembers which variants the Markdown asked for;
- processing: `process_jobs` makes each missing variant in a cache folder
  (`SITE/.katsudo-cache/images/`, keyed by source hash + settings), in parallel; the plan copies
  from there, so write.py stays the only writer and an unchanged photo is never processed twice.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.errors import SourceError

RASTER = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
AS_IS = {".gif", ".svg"}  # published as they are (GIF carries no EXIF; SVG is text)
IMAGE_SUFFIXES = set(RASTER) | AS_IS
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 6000
OG_SIZE = (1200, 630)
SIZES = "(min-width: 42em) 40em, 100vw"  # the post column (.post-content: max-width 40em)
_ENCODER_VERSION = "1"  # bump when the encoding settings below change: invalidates the cache
_EXT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass(frozen=True)
class ImageSettings:
    keep_metadata: bool = False  # site.yaml images.keep_metadata: the explicit opt-out of stripping
    widths: tuple[int, ...] = (480, 960, 1600)  # images.widths: the widths published (never upscaled)
    default_image: str | None = None  # images.default_image: og:image of pages without a photo (under content/)

    def key(self) -> str:
        return f"v{_ENCODER_VERSION};meta={int(self.keep_metadata)};q=82/80"


@dataclass(frozen=True)
class Job:
    """One output file made from one source: `op` is ('fit', width, format) or ('og', format)."""

    source: Path
    digest: str  # sha256 of the source bytes
    op: tuple
    settings: ImageSettings

    @property
    def cache_name(self) -> str:
        key = f"{self.digest};{self.op!r};{self.settings.key()}".encode()
        return hashlib.sha256(key).hexdigest()[:32] + "." + _EXT[self.op[-1]]


@dataclass(frozen=True)
class Variant:
    route: str  # output route (a file), e.g. 'posts/kenshu/photo-3f2a9c1b-960.webp'
    width: int
    height: int
    job: Job


@dataclass
class ImageInfo:
    path: Path
    route: str  # where the image itself is published (its own path)
    digest: str
    width: int  # after EXIF orientation
    height: int
    format: str | None  # 'JPEG', 'PNG', 'WEBP' for raster images; None for GIF/SVG
    size: int  # bytes of the source
    warned: bool = False

    @property
    def stem(self) -> str:
        return PurePosixPath(self.route).stem

    @property
    def folder(self) -> str:
        parent = PurePosixPath(self.route).parent.as_posix()
        return "" if parent == "." else parent + "/"


@dataclass
class ImageCatalog:
    """What the Markdown stage asks about images, and every variant it asked for."""

    routes: dict[Path, str]  # resolved source path -> its own output route
    settings: ImageSettings = field(default_factory=ImageSettings)
    infos: dict[Path, ImageInfo] = field(default_factory=dict)
    variants: dict[str, Variant] = field(default_factory=dict)  # route -> variant
    default_social: str | None = None  # route of site.yaml's default_image as a social card
    used: list[Variant] = field(default_factory=list)  # variants asked for since the last `take()`

    def take(self) -> tuple[Variant, ...]:
        """The variants asked for since the last call (one post's: they travel in its Rendered)."""
        taken, self.used = tuple(self.used), []
        return taken

    def add(self, variants) -> None:
        for variant in variants:
            self.variants.setdefault(variant.route, variant)

    def fingerprint(self) -> str:
        """Changes when any photo's bytes or the settings change (for caches of rendered Markdown)."""
        digest = hashlib.sha256(repr(self.settings).encode())
        for path in sorted(self.routes):
            if self.is_image(path):
                stat = path.stat()
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
        return digest.hexdigest()

    def outputs(self, static) -> tuple[list[tuple[str, Job]], list[SourceError]]:
        """Every image file to publish, by route, sorted: each raster file of the site at its own path
        (re-encoded without metadata; with keep_metadata it is copied as it is instead), and every variant."""
        found: dict[str, Job] = {}
        errors = []
        if not self.settings.keep_metadata:
            for item in static:
                if self.is_raster(item.path):
                    try:
                        found[item.rel] = self.own_copy(item.path)
                    except ValueError:
                        errors.append(SourceError(item.path, None, "this file cannot be read as a picture",
                                                  "open it in an image viewer and save it again as JPEG or PNG"))
        for route, variant in self.variants.items():
            found.setdefault(route, variant.job)
        return sorted(found.items()), errors

    def replaces(self, path: Path) -> bool:
        """Whether a static file is published by the image stage instead of being copied."""
        return self.is_raster(path) and not self.settings.keep_metadata

    def is_image(self, path: Path) -> bool:
        return path.suffix.lower() in IMAGE_SUFFIXES

    def is_raster(self, path: Path) -> bool:
        return path.suffix.lower() in RASTER

    def info(self, path: Path) -> ImageInfo:
        """Size and hash of a published image (raises ValueError when Pillow cannot read it)."""
        path = path.resolve()
        if path not in self.infos:
            self.infos[path] = probe(path, self.routes[path])
        return self.infos[path]

    def warnings_for(self, info: ImageInfo, source: Path, line: int | None) -> list[SourceError]:
        if info.warned:
            return []
        info.warned = True
        found = []
        if info.size > MAX_BYTES:
            found.append(SourceError(source, line, f"the image '{info.path.name}' is {info.size / 1024 / 1024:.1f} MB "
                                     f"(over {MAX_BYTES // 1024 // 1024} MB)",
                                     "katsudo makes smaller copies, but a smaller original keeps the site folder light",
                                     severity="warning"))
        if info.path.suffix.lower() != ".svg" and max(info.width, info.height) > MAX_PIXELS:
            found.append(SourceError(source, line, f"the image '{info.path.name}' is {info.width}×{info.height} pixels "
                                     f"(over {MAX_PIXELS})", "resize it to at most 3000 pixels before adding it",
                                     severity="warning"))
        return found

    def widths_for(self, info: ImageInfo) -> list[int]:
        """Configured widths, never above the image's own (which is added when it is smaller than the largest)."""
        widths = sorted({min(w, info.width) for w in self.settings.widths})
        return widths or [info.width]

    def _variant(self, info: ImageInfo, op: tuple, width: int, height: int, name: str) -> Variant:
        route = info.folder + name
        variant = Variant(route, width, height, Job(info.path, info.digest, op, self.settings))
        self.variants.setdefault(route, variant)
        self.used.append(variant)
        return variant

    def responsive(self, info: ImageInfo) -> dict[str, list[Variant]]:
        """{'webp': [...], 'fallback': [...]} by width (fallback is empty for a WebP source)."""
        short, fmt = info.digest[:8], info.format
        assert fmt is not None  # (raster images only: the caller asks is_raster first)
        result: dict[str, list[Variant]] = {"webp": [], "fallback": []}
        for width in self.widths_for(info):
            height = max(1, round(info.height * width / info.width))
            result["webp"].append(self._variant(info, ("fit", width, "WEBP"), width, height,
                                                f"{info.stem}-{short}-{width}.webp"))
            if fmt != "WEBP":
                ext = _EXT[fmt]
                result["fallback"].append(self._variant(info, ("fit", width, fmt), width, height,
                                                        f"{info.stem}-{short}-{width}.{ext}"))
        return result

    def social(self, info: ImageInfo) -> Variant:
        """The 1200×630 crop for og:image (JPEG: every social network reads it)."""
        return self._variant(info, ("og", "JPEG"), *OG_SIZE, f"{info.stem}-{info.digest[:8]}-og.jpg")

    def own_copy(self, path: Path) -> Job:
        """The image at its own path (linked to, or opened full size from a gallery): re-encoded
        without metadata, at most the largest configured width."""
        info = self.info(path)
        fmt = info.format
        return Job(info.path, info.digest, ("fit", min(info.width, max(self.settings.widths)), fmt), self.settings)


def probe(path: Path, route: str) -> ImageInfo:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix == ".svg":
        width, height = svg_size(data)
        return ImageInfo(path, route, digest, width, height, None, len(data))
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            width, height = image.size
            orientation = image.getexif().get(0x0112, 1) if suffix in RASTER else 1
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError(str(exc)) from exc
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return ImageInfo(path, route, digest, width, height, RASTER.get(suffix), len(data))


_SVG_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")


def svg_size(data: bytes) -> tuple[int, int]:
    """The drawing size an SVG declares (width/height in px, else its viewBox), so its <img>
    gets width/height and reserves its space; (0, 0) when it declares none or only relative units."""
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return 0, 0
    width_given, height_given = (_SVG_LENGTH.match(root.get(name) or "") for name in ("width", "height"))
    if width_given and height_given:
        return max(1, round(float(width_given.group(1)))), max(1, round(float(height_given.group(1))))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    try:
        _, _, width, height = (float(v) for v in box)
    except ValueError:
        return 0, 0
    return (max(1, round(width)), max(1, round(height))) if width > 0 and height > 0 else (0, 0)


def render_job(job: Job) -> bytes:
    """The bytes of one output: pixels only (orientation applied), unless keep_metadata."""
    import io

    from PIL import Image, ImageOps

    with Image.open(job.source) as opened:
        opened.load()
        original_exif = opened.getexif()
        icc = opened.info.get("icc_profile")
        image = ImageOps.exif_transpose(opened)
    fmt = job.op[-1]
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if fmt == "JPEG":
        mode = "L" if image.mode in ("L", "1") else "RGB"
    elif fmt == "PNG":
        mode = image.mode if image.mode in ("RGB", "RGBA", "L", "LA") else ("RGBA" if has_alpha else "RGB")
    else:
        mode = "RGBA" if has_alpha else "RGB"
    if image.mode != mode:
        image = image.convert(mode)
    if job.op[0] == "og":
        image = ImageOps.fit(image, OG_SIZE, Image.Resampling.LANCZOS)
    else:
        width = job.op[1]
        if width < image.width:
            height = max(1, round(image.height * width / image.width))
            image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    # A new image from the pixels alone: nothing of the original's info (comment, XMP...) travels.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    options: dict = {}
    if icc:
        options["icc_profile"] = icc  # colours, not personal data
    if job.settings.keep_metadata:
        if original_exif:
            original_exif[0x0112] = 1  # the pixels are already upright
            options["exif"] = original_exif.tobytes()
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=82, optimize=True, progressive=True, **options)
    elif fmt == "PNG":
        clean.save(out, "PNG", optimize=True, **options)
    else:
        clean.save(out, "WEBP", quality=80, method=4, **options)
    return out.getvalue()


def cache_dir(site_root: Path) -> Path:
    return site_root / ".katsudo-cache" / "images"


def process_jobs(jobs: list[Job], cache: Path, workers: int | None = None) -> int:
    """Make every job's cache file that is not there yet, in parallel; returns how many were made."""
    missing = list({job.cache_name: job for job in jobs if not (cache / job.cache_name).is_file()}.values())
    if not missing:
        return 0
    cache.mkdir(parents=True, exist_ok=True)

    def one(job: Job) -> None:
        data = render_job(job)
        temporary = cache / f".{job.cache_name}.{os.getpid()}.{id(job)}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, cache / job.cache_name)

    from concurrent.futures import ThreadPoolExecutor  # (only when there are photos to make)

    with ThreadPoolExecutor(max_workers=workers or min(8, os.cpu_count() or 2)) as pool:
        for _ in pool.map(one, missing):
            pass
    return len(missing)
