from mash_common.http import serve

from .bootstrap import build_app
from .config import FeedbackSettings


def main() -> None:
    serve(FeedbackSettings(), build_app)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
