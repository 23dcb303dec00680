import asyncio

import uvicorn

from mash_common.logging import configure_logging

from .bootstrap import build_app
from .config import ConsoleSettings


def main() -> None:
    """Serve the console until SIGINT/SIGTERM (uvicorn handles both)."""
    settings = ConsoleSettings()
    configure_logging("console", settings.log_level)
    config = uvicorn.Config(
        build_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    asyncio.run(uvicorn.Server(config).serve())


if __name__ == "__main__":
    main()
