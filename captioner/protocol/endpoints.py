"""Where the realtime recognition service lives: regions, workspace hosts, custom URLs.

Alibaba Cloud Model Studio runs the realtime service in two regions whose API keys are not
interchangeable (docs/protocol.md §1.1): Beijing (`cn`) and Singapore (`intl`). A workspace id selects
the workspace ("MaaS") domain, which Alibaba recommends over the shared gateway. A custom URL
(`captioner serve`, a test server, a proxy) overrides both. Knowing which of these a URL is
lets error messages say "the Singapore key was rejected" instead of "HTTP 401".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

PATH = "/api-ws/v1/inference"


@dataclass(frozen=True)
class Region:
    code: str  # what the CLI and settings call it: "cn", "intl"
    name: str  # what a user reads: "Beijing", "Singapore"
    gateway_host: str  # the shared gateway
    maas_region: str  # the region part of workspace domains


REGIONS: dict[str, Region] = {
    "cn": Region("cn", "Beijing", "dashscope.aliyuncs.com", "cn-beijing"),
    "intl": Region("intl", "Singapore", "dashscope-intl.aliyuncs.com", "ap-southeast-1"),
}
DEFAULT_REGION = "cn"  # the SDK's default, and the only region with Paraformer

_WORKSPACE_ID = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


@dataclass(frozen=True)
class Endpoint:
    """One WebSocket URL and what it is. `region` is None for a custom URL with no region."""

    url: str
    region: Region | None
    custom: bool

    @property
    def secure(self) -> bool:
        return self.url.startswith("wss://")

    @property
    def label(self) -> str:
        """For messages: "Alibaba Cloud Model Studio (Beijing)" or the custom server's address."""
        if not self.custom and self.region is not None:
            return f"Alibaba Cloud Model Studio ({self.region.name})"
        return f"the server at {self.url}"


def region_named(region: str | None) -> Region | None:
    """The region for a name the user gave (None for none); ValueError listing the choices."""
    if region is None:
        return None
    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}; choose one of: {', '.join(REGIONS)}")
    return REGIONS[region]


def resolve(
    url: str | None = None,
    region: str | None = None,
    workspace: str | None = None,
    *,
    workspace_domain: bool = True,
) -> Endpoint:
    """The endpoint for these choices; raises ValueError naming what is wrong.

    A custom `url` wins. Otherwise `region` (default Beijing) picks the shared gateway, or,
    with a `workspace` and `workspace_domain`, that workspace's own domain. The workspace id
    becomes part of a host name, so it must be a DNS label.
    """
    reg = region_named(region)
    if workspace is not None and not _WORKSPACE_ID.match(workspace):
        raise ValueError(f"workspace id {workspace!r} is malformed (letters, digits and '-' only)")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("ws", "wss") or not parts.hostname:
            raise ValueError(f"the service URL must start with wss:// (or ws:// for a local server): {url!r}")
        if parts.username or parts.password:
            raise ValueError("do not put credentials in the service URL; set DASHSCOPE_API_KEY instead")
        return Endpoint(url, reg, custom=True)
    reg = reg or REGIONS[DEFAULT_REGION]
    host = f"{workspace}.{reg.maas_region}.maas.aliyuncs.com" if workspace and workspace_domain else reg.gateway_host
    return Endpoint(f"wss://{host}{PATH}", reg, custom=False)
