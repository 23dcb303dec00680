from typing import ClassVar

from mash_common.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    service: ClassVar[str] = "intake"
    default_port: ClassVar[int] = 8001
