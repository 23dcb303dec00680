from typing import ClassVar

from mash_common.settings import ServiceSettings


class DecisionSettings(ServiceSettings):
    service: ClassVar[str] = "decision"
    default_port: ClassVar[int] = 8004

    # Levels of need in the local threshold document (four in most areas, five in some).
    levels_of_need: int = 4
