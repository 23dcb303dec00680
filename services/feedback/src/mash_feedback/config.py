from typing import ClassVar

from mash_common.settings import ServiceSettings


class FeedbackSettings(ServiceSettings):
    service: ClassVar[str] = "feedback"
    default_port: ClassVar[int] = 8005
