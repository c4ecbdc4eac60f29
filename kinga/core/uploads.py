"""Uploaded files are accepted by what they contain, not by the name they came with.

A file named photo.jpg may be an HTML page or a script; served back through the app to another reader it would
run in their browser or their office suite. Images are opened and verified by Pillow, PDFs recognised by their
`%PDF-` header, office documents by their container's signature.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
# Word (.docx) and OpenDocument (.odt) are ZIP containers; Word 97 (.doc) is an OLE compound file.
OFFICE_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def _head(upload, size: int = 8) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def image_format(upload) -> str | None:
    """The format of the image in `upload` ("JPEG", "PNG"...) once Pillow has opened and verified it whole;
    None for anything that is not such an image."""
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        upload.seek(0)
    return kind if kind in IMAGE_FORMATS else None


def is_image(upload) -> bool:
    return image_format(upload) is not None


def is_pdf(upload) -> bool:
    return _head(upload, 5) == b"%PDF-"


def is_office_document(upload) -> bool:
    return _head(upload).startswith(OFFICE_SIGNATURES)


def validate_image(upload) -> None:
    if upload and not is_image(upload):
        raise ValidationError(
            _("This file is not a photo Kinga can read (JPEG, PNG, WebP or GIF)."), code="not_an_image"
        )


def validate_document(upload) -> None:
    """A PDF, a Word or OpenDocument file, or a photo."""
    if upload and not (is_pdf(upload) or is_office_document(upload) or is_image(upload)):
        raise ValidationError(
            _(
                "This file is not a PDF, Word, OpenDocument or photo file (its content was checked, not its name)."
            ),
            code="not_a_document",
        )
