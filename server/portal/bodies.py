"""Message bodies as the portal shows them: the server's sanitized HTML, cleaned once more on
the way out so links leave the portal explicitly (new tab, no referrer) and nothing relative,
styled inline or scripted survives, whatever an older stored body holds."""

from __future__ import annotations

import nh3
from markupsafe import Markup

from server.sanitize import ALLOWED_TAGS

_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes={"a": {"href", "title"}, "ol": {"start"}},
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",
    link_rel="noopener noreferrer nofollow",
    set_tag_attribute_values={"a": {"target": "_blank"}},
    strip_comments=True,
)


def shown_body(stored_html: str) -> Markup:
    return Markup(_CLEANER.clean(stored_html))  # noqa: S704 - cleaned by the allowlist above
